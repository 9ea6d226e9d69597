import type { Context } from '../context/context.js';
import { resolveInstants, systemTimeZone } from '../costs/period.js';
import { listVideos, type VideoRow } from '../db/tables/videos.js';

/** `videos list` and the MCP tool `list_videos`: the same rows, with the keys of the `--json` contract. */

export const VIDEO_JSON_KEYS = ['id', 'prompt', 'width', 'height', 'duration', 'sora_version', 'url', 'azure_video_id', 'created_at'] as const;

export type VideoJson = Pick<VideoRow, (typeof VIDEO_JSON_KEYS)[number]>;

export interface VideoQuery {
  limit: number;
  search?: string;
  /** The --since/--until grammar of src/costs/period.ts (days of `timeZone`; `--until` inclusive). */
  since?: string;
  until?: string;
  /** Default: the zone costs uses without --tz (so both commands agree on what "2026-11-01" is). */
  timeZone?: string;
}

/** Newest first; `total` counts every match (capped), for "showing 20 of 312". */
export async function videoList(
  ctx: Pick<Context, 'db' | 'session' | 'processEnv' | 'now'>,
  query: VideoQuery,
): Promise<{ videos: VideoJson[]; total: number }> {
  // Relative values (7d, 24h) count back from the Context's clock. The zone only when a bound needs
  // days: Intl loads its time-zone data to name it, ~13 ms of CPU (measured) a plain list never pays.
  const { from, to } =
    query.since || query.until ? resolveInstants({ ...query, timeZone: query.timeZone ?? systemTimeZone(ctx.processEnv), now: ctx.now() }) : {};
  const session = await ctx.session();
  const db = await ctx.db();
  const { videos, total } = await listVideos(db, session, { limit: query.limit, search: query.search, since: from, until: to });
  return { videos: videos.map((v) => Object.fromEntries(VIDEO_JSON_KEYS.map((k) => [k, v[k]])) as VideoJson), total };
}
