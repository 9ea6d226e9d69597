import { noneWithId } from '../db/tables/ids.js';
import type { Context } from '../context/context.js';
import { findVideo, type VideoRow } from '../db/tables/videos.js';

/** One video as `videos show --json` reports it: its row and the name of the profile that made it (never the profile's key). */
export type VideoDetails = VideoRow & { profile_name: string | null };

/** By id, a unique prefix of it, a file id or the service's video id; NotFoundError when none is the user's (UsageError for a fragment too short to be a prefix). */
export async function videoDetails(ctx: Pick<Context, 'db' | 'session'>, id: string): Promise<VideoDetails> {
  const session = await ctx.session();
  const db = await ctx.db();
  const video = await findVideo(db, session, id);
  if (!video) throw noneWithId('video', id);
  const { profile, ...row } = video;
  return { ...row, profile_name: profile?.name ?? null };
}
