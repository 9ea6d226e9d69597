import type { Session } from '../auth/session.js';
import type { Db } from '../db/connection/types.js';
import { listVideos, type VideoFilter, type VideoRow } from '../db/tables/videos.js';

/** `videos list` and the MCP tool `list_videos`: the same rows, with the keys of the `--json` contract. */

export const VIDEO_JSON_KEYS = ['id', 'prompt', 'width', 'height', 'duration', 'sora_version', 'url', 'azure_video_id', 'created_at'] as const;

export type VideoJson = Pick<VideoRow, (typeof VIDEO_JSON_KEYS)[number]>;

/** Newest first; `total` counts every match (capped), for "showing 20 of 312". */
export async function videoList(
  db: Db,
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>,
  filter: VideoFilter,
): Promise<{ videos: VideoJson[]; total: number }> {
  const { videos, total } = await listVideos(db, session, filter);
  return { videos: videos.map((v) => Object.fromEntries(VIDEO_JSON_KEYS.map((k) => [k, v[k]])) as VideoJson), total };
}
