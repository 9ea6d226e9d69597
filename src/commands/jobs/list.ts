import { defineCommand } from '../../cli/command.js';
import { positiveInt } from '../../cli/flag-parsers.js';
import { formatUsd } from '../../core/money.js';
import { rows, shownOf } from '../../output/result.js';
import { STATUS_CHOICES } from '../../core/statuses.js';

// --status takes exactly the statuses a recorded job can have (`completed` finds the service's
// `succeeded` too). `error` is not one: it is how a run reports a line it stopped on, whose row
// stays queued or running.
export default defineCommand({
  description:
    'A line that generate or jobs wait reports as "error" stopped on an error before finishing: its\n' +
    'job is still recorded as queued or running (list it with --status queued or --status running,\n' +
    'continue it with octo jobs wait ID), so there is no --status error.',
  options: [
    { flags: '--status <status>', description: 'only this status', choices: STATUS_CHOICES },
    { flags: '--limit <n>', description: 'at most this many', default: 20, parse: positiveInt('--limit') },
  ],
  examples: ['octo jobs list --status running', 'octo jobs list --limit 100 --csv > jobs.csv'],
  async run({ ctx, opts }) {
    const { jobList } = await import('../../jobs/list.js');
    const { jobs, total } = await jobList(ctx, { status: opts.status, limit: opts.limit });
    return rows(
      jobs,
      [
        { key: 'id', header: 'id', id: true },
        { key: 'status', header: 'status' },
        { key: 'prompt', header: 'prompt', flex: true },
        { key: 'profile_name', header: 'profile' },
        { key: 'estimated_cost', header: 'estimate', format: (v) => formatUsd(v), align: 'right' },
        { key: 'created_at', header: 'created' },
        { key: 'job_id', header: 'job', optional: true },
      ],
      { empty: 'No jobs yet. Start one with: octo generate "a prompt"', notes: shownOf(jobs.length, total) },
    );
  },
});
