import { rm } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import type { Deps } from '../cli/deps.js';
import { NotFoundError } from '../core/errors.js';
import { deleteVideo } from '../db/videos.js';
import { message } from '../output/result.js';

/** `videos delete`: the row; the files only when asked. */
export async function deleteVideoCommand(deps: Deps, id: string, files: boolean) {
  const session = await deps.session();
  const video = await deleteVideo(await deps.db(), session, id);
  if (!video) throw new NotFoundError(`no video ${id}`, { hint: 'see: octo videos list' });
  const removed: string[] = [];
  if (files) {
    for (const f of [video.url, video.thumbnail_url]) {
      if (f && isAbsolute(f)) {
        await rm(f, { force: true });
        removed.push(f);
      }
    }
  }
  return message(
    `Deleted video ${video.id}${removed.length ? ` and ${removed.length} file(s)` : files ? '' : ` (the file stays: ${video.url})`}`,
    { id: video.id, deleted: true, files_removed: removed },
  );
}
