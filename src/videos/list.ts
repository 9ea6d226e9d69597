import type { Context } from '../context/context.js';
import { UsageError } from '../core/errors.js';
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
  /** Only videos of generations in this status (`canceled` finds both spellings). */
  status?: string;
  /** `key=value`, or `key` for any value: only videos of generations with that tag. */
  tag?: string;
}

/** Both spellings of a cancelled job (the web app's and octo's), as `jobs list` finds them. */
export const statusSpellings = (status: string): string[] => (status === 'canceled' || status === 'cancelled' ? ['canceled', 'cancelled'] : [status]);

/** `key=value`, or `key` for any value (videos list --tag, videos gallery --tag, list_videos). */
export function tagFilter(text: string): { key: string; value?: string } {
  const at = text.indexOf('=');
  const tag = at < 0 ? { key: text } : { key: text.slice(0, at), value: text.slice(at + 1) };
  if (!tag.key) throw new UsageError(`--tag takes key=value or key, got ${JSON.stringify(text)}`);
  return tag;
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
  const { videos, total } = await listVideos(db, session, {
    limit: query.limit,
    search: query.search,
    since: from,
    until: to,
    statuses: query.status === undefined ? undefined : statusSpellings(query.status),
    tag: query.tag === undefined ? undefined : tagFilter(query.tag),
  });
  return { videos: videos.map((v) => Object.fromEntries(VIDEO_JSON_KEYS.map((k) => [k, v[k]])) as VideoJson), total };
}
