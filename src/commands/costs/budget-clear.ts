import { defineCommand } from '../../cli/command.js';
import { NotFoundError } from '../../core/errors.js';
import { clearBudget } from '../../db/tables/budgets.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description: 'Without --profile (or OCTO_PROFILE) removes the budget for all spend; exits 3 when none is set.',
  examples: ['octo costs budget clear', 'octo costs budget clear --profile work'],
  async run({ ctx }) {
    const session = await ctx.session();
    const profile = ctx.globals.profile || null;
    const scope = profile ? `profile ${profile}` : 'all your spend';
    if (!(await clearBudget(await ctx.db(), session, profile))) {
      throw new NotFoundError(`no monthly budget is set for ${scope}`, { hint: 'see: octo costs budget show' });
    }
    return message(`Monthly budget for ${scope} removed.`, { cleared: true, profile_name: profile });
  },
});
