import { YES_OPTION, defineCommand, requiredArg } from '../../cli/command.js';
import { confirmDestructive } from '../../cli/confirm.js';
import { NotFoundError } from '../../core/errors.js';

export default defineCommand({
  description:
    'Deletes the video_metadata row. The downloaded files stay on disk unless --files is given\n' +
    '(a file you moved or shared is never touched by surprise). The generation and its cost stay\n' +
    'recorded: deleting a video does not undo what it cost. Asks first on a terminal; elsewhere\n' +
    'pass --yes.',
  args: ['<id>'],
  argCompletion: ['videos'],
  options: [{ flags: '--files', description: 'also delete the downloaded video and thumbnail' }, YES_OPTION],
  async run({ ctx, opts, args }) {
    const [{ findVideo }, { deleteVideoCommand }] = await Promise.all([import('../../db/tables/videos.js'), import('../../videos/delete.js')]);
    const id = requiredArg(args, 0);
    const video = await findVideo(await ctx.db(), await ctx.session(), id);
    if (!video) throw new NotFoundError(`no video ${id}`, { hint: 'see: octo videos list' });
    const what = opts.files ? ' and its files' : '';
    await confirmDestructive(ctx, opts.yes, `Delete video ${video.id.slice(0, 8)} ("${video.prompt.slice(0, 40)}")${what}?`);
    return deleteVideoCommand(ctx, video.id, Boolean(opts.files));
  },
});
