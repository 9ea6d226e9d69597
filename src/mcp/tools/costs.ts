import * as z from 'zod';
import { COST_GROUPINGS } from '../../db/tables/costs.js';
import { defineTool } from '../tool.js';

const tally = z.looseObject({ count: z.number(), estimated_cost: z.number() });

export default defineTool({
  name: 'costs',
  title: 'Cost report',
  description:
    'What your generations cost (estimates from the price table, never a bill), summed by the database: ' +
    'completed generations grouped by day, week, month, model, profile, status or tag; failed/cancelled and ' +
    'in-flight ones apart. Default: this month to date, by model. Free: reads the ledger only. Same data as `octo costs --json`.',
  input: z.strictObject({
    by: z.enum(COST_GROUPINGS).default('model').describe('how to group'),
    since: z.string().optional().describe('first day: YYYY-MM-DD, an ISO 8601 time, or relative (24h, 7d, 2w, 3m); a time counts its day'),
    until: z.string().optional().describe('last day, inclusive, in the same forms (default: today)'),
    tz: z.string().optional().describe("IANA time zone for day/week/month boundaries (default: the server's zone)"),
  }),
  output: z.looseObject({
    currency: z.literal('USD'),
    since: z.string(),
    until: z.string(),
    time_zone: z.string(),
    from: z.string(),
    to: z.string(),
    by: z.enum(COST_GROUPINGS),
    total_cost: z.number(),
    count: z.number(),
    seconds: z.number(),
    groups: z.array(z.looseObject({ key: z.string(), count: z.number(), seconds: z.number(), cost: z.number() })),
    failed: tally,
    in_flight: tally,
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ ctx }, args) {
    const [{ costReport }, { systemTimeZone }] = await Promise.all([import('../../costs/report.js'), import('../../costs/period.js')]);
    const session = await ctx.session();
    return costReport(await ctx.db(), session, {
      by: args.by,
      since: args.since,
      until: args.until,
      timeZone: args.tz ?? systemTimeZone(ctx.processEnv),
      now: ctx.now(),
    });
  },
});
