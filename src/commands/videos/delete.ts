import { YES_OPTION, defineCommand, requiredArg } from '../../cli/command.js';
import { confirmDestructive } from '../../cli/confirm.js';
import { message } from '../../output/result.js';

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
    const [{ videoDetails }, { deleteVideo }] = await Promise.all([import('../../videos/show.js'), import('../../videos/delete.js')]);
    // Found first (a prefix, a file id or an Azure id), so the question names the video.
    const video = await videoDetails(ctx, requiredArg(args, 0));
    const files = Boolean(opts.files);
    await confirmDestructive(ctx, opts.yes, `Delete video ${video.id.slice(0, 8)} ("${video.prompt.slice(0, 40)}")${files ? ' and its files' : ''}?`);
    const deleted = await deleteVideo(ctx, video.id, { files });
    for (const k of deleted.files_kept) ctx.log.warn(`kept ${k.path}: ${k.reason} (octo deletes only files it downloaded)`);
    const removed = deleted.files_removed.length;
    return message(`Deleted video ${deleted.id}${removed ? ` and ${removed} file(s)` : files ? '' : ` (the file stays: ${deleted.url})`}`, {
      id: deleted.id,
      deleted: true,
      files_removed: deleted.files_removed,
      files_kept: deleted.files_kept.map((k) => k.path),
    });
  },
});
