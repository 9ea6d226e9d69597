import { defineCommand } from '../../cli/command.js';

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
    return uploadVideos(ctx, args[0], Boolean(opts.all));
  },
});
