import { defineCommand } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { systemTimeZone } from '../../costs/period.js';
import { COST_GROUPINGS, costReport, reportTotals, type CostGrouping } from '../../costs/report.js';
import { barChart } from '../../output/chart.js';
import { formatUsd } from '../../core/money.js';
import { rows, text } from '../../output/result.js';

const HEADERS: Record<CostGrouping, string> = {
  day: 'DAY',
  week: 'WEEK OF',
  month: 'MONTH',
  model: 'MODEL',
  profile: 'PROFILE',
  status: 'STATUS',
  tag: 'TAG',
};

export default defineCommand({
  description: [
    'Sums the estimated cost recorded with each generation (never re-priced), in the database.',
    'Groups show completed generations; failed and cancelled ones are counted apart (with',
    '--by status every status is a group). Default: this month to date, by model.',
    '',
    'Days, weeks (starting Monday) and months follow --tz. With --by tag a generation carrying',
    'several tags counts in each of their groups, so groups may add up to more than the total.',
    'Every amount is an estimate from the price table (octo pricing), not an Azure bill.',
  ].join('\n'),
  options: [
    { flags: '--by <grouping>', description: 'group by', choices: [...COST_GROUPINGS], default: 'model' },
    { flags: '--since <when>', description: 'first day: YYYY-MM-DD, a time, or relative (24h, 7d, 2w, 3m); a time counts its day' },
    { flags: '--until <when>', description: 'last day, inclusive, in the same forms (default: today)' },
    { flags: '--tz <zone>', description: 'IANA time zone for day/week/month boundaries (default: the system zone)' },
    { flags: '--chart', description: 'draw cost per group as horizontal bars' },
  ],
  examples: [
    'octo costs',
    'octo costs --by day --since 30d --chart',
    'octo costs --by month --since 2026-01-01 --tz Europe/Berlin --json',
    'octo costs --by tag --csv',
  ],
  async run({ ctx, opts }) {
    if (opts.chart && ctx.globals.csv) throw new UsageError('--chart and --csv cannot be used together');
    const session = await ctx.session();
    const db = await ctx.db();
    const report = await costReport(db, session, {
      by: opts.by,
      since: opts.since,
      until: opts.until,
      timeZone: opts.tz ?? systemTimeZone(ctx.processEnv),
      now: ctx.now(),
    });
    const money = (value: unknown) => formatUsd(value);
    const period = `${report.since} to ${report.until} (${report.time_zone})`;
    const apart = [
      report.failed.count ? `failed/cancelled: ${report.failed.count} (${formatUsd(report.failed.estimated_cost)} estimated, not counted)` : '',
      report.in_flight.count ? `in flight: ${report.in_flight.count} (${formatUsd(report.in_flight.estimated_cost)} estimated, not counted yet)` : '',
    ].filter(Boolean);

    if (opts.chart) {
      const { io, globals } = ctx;
      const chart = barChart(
        report.groups.map((g) => ({ label: g.key, value: g.cost, valueText: money(g.cost) })),
        { width: (io.stdout.isTTY && io.stdout.columns) || 80, unicode: Boolean(globals.color && io.stdout.isTTY) },
      );
      const lines = [
        chart || `No spend ${period}.`,
        `total ${formatUsd(report.total_cost)} (estimate), ${report.count} generations, ${report.seconds} s, ${period}`,
        ...apart,
      ];
      return text(lines.join('\n'), report);
    }

    const { allStatuses, ...sums } = reportTotals(report);
    const totals = { key: allStatuses ? 'TOTAL (all statuses)' : 'TOTAL', ...sums };
    return rows(
      report.groups,
      [
        { key: 'key', header: HEADERS[opts.by] },
        { key: 'count', header: 'COUNT', align: 'right' },
        { key: 'seconds', header: 'SECONDS', align: 'right' },
        { key: 'cost', header: 'COST (EST.)', align: 'right', format: money },
      ],
      {
        totals: report.groups.length ? totals : undefined,
        empty: `No completed generations ${period}.`,
        notes: [`${period}; estimates, not a bill`, ...apart],
        json: report,
      },
    );
  },
});
