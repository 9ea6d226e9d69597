import { noneWithId } from '../db/tables/ids.js';
import type { Context } from '../context/context.js';
import { deleteVideo as deleteVideoRow } from '../db/tables/videos.js';
import { deleteOwnFiles } from '../storage/local-files.js';

/** What `videos delete` did (its `--json`, plus why each kept file was kept). */
export interface DeletedVideo {
  id: string;
  deleted: true;
  /** The row's file, which stays on disk unless `files` was asked for. */
  url: string;
  files_removed: string[];
  /** Files asked to be deleted that were not: not a file octo downloaded, or gone. */
  files_kept: { path: string; reason: string }[];
}

/** `videos delete`: the row (by its full id, as videoDetails found it); the files only when asked. */
export async function deleteVideo(ctx: Pick<Context, 'db' | 'session'>, id: string, o: { files: boolean }): Promise<DeletedVideo> {
  const session = await ctx.session();
  const db = await ctx.db();
  const video = await deleteVideoRow(db, session, id);
  if (!video) throw noneWithId('video', id);
  const { removed, kept } = o.files ? await deleteOwnFiles([video.url, video.thumbnail_url]) : { removed: [], kept: [] };
  return { id: video.id, deleted: true, url: video.url, files_removed: removed, files_kept: kept };
}
