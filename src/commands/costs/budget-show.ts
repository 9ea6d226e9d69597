import { defineCommand } from '../../cli/command.js';
import { monthlyBudgets } from '../../costs/budgets.js';
import { systemTimeZone, validateTimeZone } from '../../costs/period.js';
import { formatUsd } from '../../core/money.js';
import { rows } from '../../output/result.js';

export default defineCommand({
  options: [{ flags: '--tz <zone>', description: 'IANA time zone the month follows (default: the system zone)' }],
  examples: ['octo costs budget show', 'octo costs budget show --json'],
  async run({ ctx, opts }) {
    const timeZone = validateTimeZone(opts.tz ?? systemTimeZone(ctx.processEnv));
    const session = await ctx.session();
    const budgets = await monthlyBudgets(await ctx.db(), session, timeZone);
    const money = (v: unknown) => formatUsd(v);
    return rows(
      // The zone is in the note under the table, not on every row (CSV carries whole rows).
      budgets.map(({ time_zone: _, ...b }) => ({ ...b, scope: b.profile_name ?? '(all spend)' })),
      [
        { key: 'scope', header: 'BUDGET FOR' },
        { key: 'monthly_usd', header: 'MONTHLY', align: 'right', format: money },
        { key: 'completed', header: 'COMPLETED', align: 'right', format: money },
        { key: 'in_flight', header: 'IN FLIGHT', align: 'right', format: money },
        { key: 'remaining', header: 'REMAINING', align: 'right', format: money },
      ],
      {
        empty: 'No budget set. Set one with: octo costs budget set --monthly USD',
        notes: [`month to date in ${timeZone}; estimates, not a bill`],
        json: budgets,
      },
    );
  },
});
