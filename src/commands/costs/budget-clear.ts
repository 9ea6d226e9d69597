import { defineCommand } from '../../cli/command.js';
import { clearMonthlyBudget } from '../../costs/budgets.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description: 'Without --profile (or OCTO_PROFILE) removes the budget for all spend; exits 3 when none is set.',
  examples: ['octo costs budget clear', 'octo costs budget clear --profile work'],
  async run({ ctx }) {
    const session = await ctx.session();
    const cleared = await clearMonthlyBudget(await ctx.db(), session, ctx.globals.profile || null);
    return message(`Monthly budget for ${cleared.profile_name ? `profile ${cleared.profile_name}` : 'all your spend'} removed.`, cleared);
  },
});
