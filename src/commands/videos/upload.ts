import { defineCommand } from '../../cli/command.js';
import type { UploadResult } from '../../videos/storage.js';
import { record, rows, type Column } from '../../output/result.js';

const COLUMNS: Column<UploadResult>[] = [
  { key: 'id', header: 'id', id: true },
  { key: 'status', header: 'status' },
  { key: 'url', header: 'url', flex: true },
  { key: 'reason', header: 'reason' },
];

export default defineCommand({
  description:
    'For videos recorded before storage-url was set: uploads each video and thumbnail from its local\n' +
    "file (or, within 24 h, from the service's copy) to CONTAINER/<user id>/<generation id>/ and\n" +
    'records a URL the web app plays without credentials. Videos already there are skipped.',
  args: ['[id]'],
  argCompletion: ['videos'],
  options: [{ flags: '--all', description: 'every video of yours not yet in the container' }],
  examples: ['octo videos upload --all', 'octo videos upload 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'],
  async run({ ctx, opts, args }) {
    const { uploadVideos } = await import('../../videos/storage.js');
    const { results, containerUrl } = await uploadVideos(ctx, args[0], Boolean(opts.all));
    if (args[0]) return record(results[0]!, COLUMNS);
    const output = rows(results, COLUMNS, { empty: `Nothing to upload: every video is in ${containerUrl}.`, json: results });
    return { output, exit: results.some((r) => r.status === 'failed') ? 'failure' : undefined };
  },
});
