import { profileFromJson, profileWithKeyColumns } from './profile-config.js';
import type { ProfileWithKey } from '../../sora/profile.js';
import { COUNT_CAP, idPrefix, pickById } from './ids.js';
import type { Db, SessionRef } from '../connection/types.js';

/** video_metadata: what `octo videos` reads and deletes. Every query is scoped to the user. */

export type VideoRow = {
  id: string;
  prompt: string;
  width: number;
  height: number;
  duration: number;
  sora_version: string | null;
  url: string;
  azure_video_id: string | null;
  created_at: Date;
  file_id: string;
  thumbnail_url: string | null;
  expires_at: Date | null;
  generation_id: string | null;
};

const COLUMNS = `v.id, v.prompt, CASE WHEN v.width ~ '^[0-9]+$' THEN v.width::int END AS width,
  CASE WHEN v.height ~ '^[0-9]+$' THEN v.height::int END AS height,
  CASE WHEN v.duration ~ '^[0-9]+(\\.[0-9]+)?$' THEN v.duration::float8 END AS duration,
  v.sora_version, v.url, v.azure_video_id, v.created_at, v.file_id, v.thumbnail_url, v.expires_at, v.generation_id`;

export interface VideoFilter {
  limit: number;
  since?: Date;
  until?: Date;
  search?: string;
  /** Only videos of a generation in one of these statuses. */
  statuses?: readonly string[];
  /** Only videos of a generation with this tag (any value when `value` is unset). */
  tag?: { key: string; value?: string };
}

/**
 * Newest first (index: user_id, created_at DESC), and how many match (up to COUNT_CAP + 1, for
 * "showing 20 of 312"); one round trip with the session check.
 */
export async function listVideos(db: Db, session: SessionRef, f: VideoFilter): Promise<{ videos: VideoRow[]; total: number }> {
  const where = `v.user_id = (SELECT user_id FROM auth)
        AND ($1::timestamptz IS NULL OR v.created_at >= $1)
        AND ($2::timestamptz IS NULL OR v.created_at < $2)
        AND ($3::text IS NULL OR v.prompt ILIKE '%' || $3 || '%')
        AND ($5::text[] IS NULL AND $6::text IS NULL OR EXISTS (SELECT 1 FROM video_generations g
              WHERE g.id = v.generation_id AND g.user_id = v.user_id
                AND ($5::text[] IS NULL OR g.status = ANY($5::text[]))
                AND ($6::text IS NULL OR (jsonb_typeof(g.tags) = 'object' AND g.tags ? $6 AND ($7::text IS NULL OR g.tags ->> $6 = $7)))))`;
  const found = await db.forSession(session).query<VideoRow & { total_count: number }>(
    `SELECT ${COLUMNS},
        (SELECT count(*)::int FROM (SELECT 1 FROM video_metadata v WHERE ${where} LIMIT ${COUNT_CAP + 1}) n) AS total_count
       FROM video_metadata v
      WHERE ${where}
      ORDER BY v.created_at DESC, v.id LIMIT $4`,
    [
      f.since?.toISOString() ?? null,
      f.until?.toISOString() ?? null,
      f.search ? escapeLike(f.search) : null,
      f.limit,
      f.statuses ? [...f.statuses] : null,
      f.tag?.key ?? null,
      f.tag?.value ?? null,
    ],
  );
  const videos = found.map(({ total_count: _, ...v }) => v);
  return { videos, total: found[0]?.total_count ?? 0 };
}

/** `text` for `ILIKE '%' || $n || '%'`: its own `%`, `_` and `\` match literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * By id (or a unique prefix of at least 4 characters), file id or Azure id; with the profile it
 * was made on (for a refetch). An ambiguous prefix is a usage error listing the candidates.
 */
export async function findVideo(db: Db, session: SessionRef, id: string): Promise<(VideoRow & { profile: ProfileWithKey | null }) | undefined> {
  const found = await db.forSession(session).query<VideoRow & { profile: ProfileWithKey | null }>(
    `SELECT ${COLUMNS},
        (SELECT to_jsonb(p) FROM (SELECT ${profileWithKeyColumns('pc')}
           FROM video_generations g JOIN profiles_config pc ON pc.user_id = g.user_id AND pc.name = g.profile_name
          WHERE g.id = v.generation_id LIMIT 1) p) AS profile
       FROM video_metadata v
      WHERE v.user_id = (SELECT user_id FROM auth)
        AND (($2::uuid IS NOT NULL AND v.id = $2::uuid) OR v.file_id = $1 OR v.azure_video_id = $1 OR v.id::text LIKE $3 || '%')
      ORDER BY v.created_at DESC LIMIT 10`,
    [id, UUID.test(id) ? id : null, idPrefix(id)],
  );
  const video = pickById(found, id, {
    what: 'video',
    exact: (v) => [v.file_id, v.azure_video_id],
    describe: (v) => `${v.created_at.toISOString().slice(0, 16).replace('T', ' ')}  ${v.prompt.slice(0, 40)}`,
  });
  return video && { ...video, profile: profileFromJson(video.profile) };
}

/** Deletes the row; returns what was deleted (undefined when nothing of the user's matched). */
export async function deleteVideo(db: Db, session: SessionRef, id: string): Promise<VideoRow | undefined> {
  const [row] = await db.forSession(session).query<VideoRow>(
    `WITH target AS (
       SELECT v.id FROM video_metadata v
        WHERE v.user_id = (SELECT user_id FROM auth) AND (($2::uuid IS NOT NULL AND v.id = $2::uuid) OR v.file_id = $1 OR v.azure_video_id = $1)
        ORDER BY v.created_at DESC LIMIT 1)
     DELETE FROM video_metadata v USING target WHERE v.id = target.id RETURNING ${COLUMNS}`,
    [id, UUID.test(id) ? id : null],
  );
  return row;
}
