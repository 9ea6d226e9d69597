import { noneWithId } from '../db/tables/ids.js';
import { FailureError, NotFoundError } from '../core/errors.js';
import { findVideo } from '../db/tables/videos.js';
import { SoraNotFoundError, soraClientFor } from '../sora/index.js';
import { downloadDir } from '../generate/out-dir.js';
import type { Context } from '../context/context.js';
import { assetFileBase, prepareDownloadDir } from '../storage/local-files.js';

/** A video fetched again from the service: where it was written, and how many bytes. */
export interface DownloadedVideo {
  id: string;
  azure_video_id: string;
  path: string;
  bytes: number;
}

/** `videos download`: refetch from the service while its copy lives (24 h after creation). */
export async function downloadVideo(
  ctx: Pick<Context, 'processEnv' | 'cwd' | 'now' | 'signal' | 'db' | 'session' | 'setting'>,
  id: string,
  out: string | undefined,
): Promise<DownloadedVideo> {
  const session = await ctx.session();
  const video = await findVideo(await ctx.db(), session, id);
  if (!video) throw noneWithId('video', id);
  const expiredHint = `the local copy, if any: ${video.url}`;
  const expiresAt = video.expires_at ?? new Date(new Date(video.created_at).getTime() + 24 * 3_600_000);
  if (expiresAt.getTime() <= ctx.now().getTime()) {
    throw new NotFoundError(`video ${id} expired at the service on ${expiresAt.toISOString()} (Sora keeps videos 24 h); it cannot be downloaded again`, {
      hint: expiredHint,
    });
  }
  if (!video.profile || !video.azure_video_id) {
    throw new FailureError(`video ${id} was not made by octo on a profile you still have; cannot refetch it`);
  }
  const client = soraClientFor(video.profile, ctx.processEnv);
  const folder = await prepareDownloadDir(downloadDir({ cwd: ctx.cwd, setting: ctx.setting }, out));
  const dest = `${assetFileBase(folder, video.azure_video_id)}.mp4`;
  try {
    const r = await client.download(video.azure_video_id, { dest, signal: ctx.signal, notFoundRetries: 0 });
    return { id: video.id, azure_video_id: video.azure_video_id, path: r.path, bytes: r.bytes };
  } catch (error) {
    if (error instanceof SoraNotFoundError) {
      throw new NotFoundError(`video ${id} is no longer at the service (expired or deleted)`, { hint: expiredHint });
    }
    throw error;
  }
}
