import { defineCommand, requiredArg } from '../../cli/command.js';

export default defineCommand({
  description:
    'Deletes the video_metadata row. The downloaded files stay on disk unless --files is given\n' +
    '(a file you moved or shared is never touched by surprise). The generation and its cost stay\n' +
    'recorded: deleting a video does not undo what it cost.',
  args: ['<id>'],
  options: [{ flags: '--files', description: 'also delete the downloaded video and thumbnail' }],
  async run({ deps, opts, args }) {
    const { deleteVideoCommand } = await import('../../videos/delete.js');
    return deleteVideoCommand(deps, requiredArg(args, 0), Boolean(opts.files));
  },
});
