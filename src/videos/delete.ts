import { NotFoundError } from '../core/errors.js';
import { deleteVideo } from '../db/tables/videos.js';
import { message } from '../output/result.js';
import type { Context } from '../context/context.js';
import { deleteOwnFiles } from '../storage/local-files.js';

/** `videos delete`: the row; the files only when asked. */
export async function deleteVideoCommand(ctx: Pick<Context, 'db' | 'session' | 'log'>, id: string, files: boolean) {
  const session = await ctx.session();
  // The command resolved the id (a prefix, a file id or an Azure id) with findVideo and confirmed.
  const video = await deleteVideo(await ctx.db(), session, id);
  if (!video) throw new NotFoundError(`no video ${id}`, { hint: 'see: octo videos list' });
  const { removed, kept } = files ? await deleteOwnFiles([video.url, video.thumbnail_url]) : { removed: [], kept: [] };
  for (const k of kept) ctx.log.warn(`kept ${k.path}: ${k.reason} (octo deletes only files it downloaded)`);
  return message(`Deleted video ${video.id}${removed.length ? ` and ${removed.length} file(s)` : files ? '' : ` (the file stays: ${video.url})`}`, {
    id: video.id,
    deleted: true,
    files_removed: removed,
    files_kept: kept.map((k) => k.path),
  });
}
