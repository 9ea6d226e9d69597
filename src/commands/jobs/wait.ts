import { defineCommand } from '../../cli/command.js';
import { parseDuration, positiveInt } from '../../cli/flag-parsers.js';

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
    return waitJobs(ctx, opts, args[0]);
  },
});
