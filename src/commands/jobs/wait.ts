import { defineCommand } from '../../cli/command.js';
import { parseDuration, positiveInt } from '../../cli/flag-parsers.js';
import { GenerationFailedError } from '../../core/errors.js';
import { formatUsd } from '../../core/money.js';
import type { LineResult } from '../../generate/results.js';
import { record, rows, type Column } from '../../output/result.js';

const COLUMNS: Column<LineResult>[] = [
  { key: 'id', header: 'id', id: true },
  { key: 'job_id', header: 'job', optional: true },
  { key: 'status', header: 'status' },
  { key: 'prompt', header: 'prompt', flex: true },
  { key: 'estimated_cost', header: 'estimate', format: (v) => formatUsd(v), align: 'right' },
  { key: 'files', header: 'files', format: (v) => v.join(', ') },
  { key: 'failure_reason', header: 'reason', optional: true },
];

export default defineCommand({
  description:
    'Continues what generate started: polls jobs to their end, downloads and records the videos.\n' +
    'Lines recorded as submitted whose job id was lost (a crash) are looked up in the service first;\n' +
    'lines never submitted are submitted. Exit 7 when the job failed (6 with --all and some failed),\n' +
    '8 when --timeout passed first.',
  args: ['[id]'],
  argCompletion: ['jobs'],
  options: [
    { flags: '--all', description: 'every unfinished job of yours' },
    { flags: '--timeout <duration>', description: 'stop waiting after this long (exit 8)', parse: parseDuration },
    { flags: '--out <dir>', description: 'download folder; wins over the one stored when the job was started' },
    { flags: '--concurrency <n>', description: 'jobs followed at once', default: 4, parse: positiveInt('--concurrency') },
    {
      flags: '--creates-per-minute <n>',
      description: 'sora-2: pace for lines never submitted (0 = unpaced; 429s still pause all)',
      parse: positiveInt('--creates-per-minute', 0),
    },
  ],
  examples: ['octo jobs wait 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed', 'octo jobs wait --all'],
  async run({ ctx, opts, args }) {
    const { waitJobs } = await import('../../jobs/wait.js');
    const id = args[0];
    const { results, summary } = await waitJobs(ctx, { ...opts, ids: id === undefined ? undefined : [id] });
    if (results.length === 0) return rows([], [], { empty: 'Nothing to wait for: no job is queued or running.' });
    const [one] = results;
    if (id && one) {
      const r = one.result;
      // One job: a failure ends the command with the error that stopped it, else exit 7.
      if (one.kind === 'error') throw one.error;
      if (summary.failed) throw new GenerationFailedError(`job ${r.job_id ?? r.id} ${r.status}: ${r.failure_reason ?? 'no reason given'}`);
      return { output: record(r, COLUMNS), exit: summary.unfinished ? 'still_running' : undefined };
    }
    const lines = results.map((o) => o.result);
    const output = rows(lines, COLUMNS, { json: lines });
    if (summary.failed) return { output, exit: 'batch_failed' };
    return { output, exit: summary.unfinished ? 'still_running' : undefined };
  },
});
