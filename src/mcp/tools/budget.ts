import * as z from 'zod';
import { defineTool } from '../tool.js';

export default defineTool({
  name: 'budget',
  title: 'Monthly budgets',
  description:
    'Each monthly budget (for all spend, or one profile) with month-to-date completed spend, in-flight estimates ' +
    'and what remains. generate refuses a request that would pass one, across every octo process and machine on ' +
    'the same database. Free: reads the ledger only. Same rows as `octo costs budget show --json`; none set: an empty list.',
  input: z.strictObject({
    tz: z.string().optional().describe("IANA time zone the month follows (default: the server's zone)"),
  }),
  output: z.looseObject({
    budgets: z.array(
      z.looseObject({
        profile_name: z.string().nullable().describe('null: the budget for all spend'),
        monthly_usd: z.number(),
        completed: z.number(),
        in_flight: z.number(),
        remaining: z.number().describe('monthly_usd - completed - in_flight (negative when over)'),
        time_zone: z.string(),
        updated_at: z.string(),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ ctx }, args) {
    const [{ monthlyBudgets }, { systemTimeZone }] = await Promise.all([import('../../costs/budgets.js'), import('../../costs/period.js')]);
    const session = await ctx.session();
    return { budgets: await monthlyBudgets(await ctx.db(), session, args.tz ?? systemTimeZone(ctx.processEnv)) };
  },
});
