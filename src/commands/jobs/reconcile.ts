import { defineCommand } from '../../cli/command.js';
import { isoInZone, systemTimeZone } from '../../costs/period.js';
import { rows } from '../../output/result.js';

export default defineCommand({
  description:
    "Compares the service's own list of jobs, on every profile, with what octo recorded over a time\n" +
    'range (default: the last 24 hours). A job octo recorded nowhere is recorded as what it is: the job\n' +
    'of a line whose create was never answered, else an extra, paid job of the line that asked for it\n' +
    '(a row of its own, costed by octo costs, its videos fetched by octo jobs wait --all). A job no\n' +
    'line of octo asked for (made by another tool) is listed, not recorded. Safe to run while other\n' +
    'octo processes resume, wait for or cancel the same lines.',
  options: [
    { flags: '--since <when>', description: 'from: a date, a time or relative (24h, 7d); default 24h ago' },
    { flags: '--until <when>', description: 'to (inclusive); default now' },
  ],
  examples: ['octo jobs reconcile', 'octo jobs reconcile --since 7d', 'octo jobs reconcile --since 2026-12-01 --until 2026-12-03 --json'],
  async run({ ctx, opts }) {
    const { reconcileJobs } = await import('../../jobs/reconcile.js');
    const timeZone = systemTimeZone(ctx.processEnv);
    const { results, listed, from, to } = await reconcileJobs(ctx, { since: opts.since, until: opts.until, timeZone });
    const recorded = results.filter((r) => r.recorded_as !== 'unmatched').length;
    return rows(
      results,
      [
        { key: 'job_id', header: 'job' },
        { key: 'recorded_as', header: 'recorded as' },
        { key: 'line_id', header: 'line', id: true },
        { key: 'generation_id', header: 'id', id: true },
        { key: 'status', header: 'status' },
        { key: 'profile', header: 'profile' },
        { key: 'prompt', header: 'prompt', flex: true },
      ],
      {
        empty: `Nothing to reconcile: every one of the ${listed} jobs the service lists from ${isoInZone(from, timeZone)} to ${isoInZone(to, timeZone)} is recorded.`,
        notes: [
          `${listed} jobs listed by the service; ${recorded} recorded now${recorded ? ' (see: octo costs; fetch their videos: octo jobs wait --all)' : ''}`,
        ],
        json: results,
      },
    );
  },
});
