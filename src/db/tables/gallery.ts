import { COUNT_CAP } from './ids.js';
import { escapeLike } from './videos.js';
import type { Db, SessionRef } from '../connection/types.js';
import type { GenerationRow } from './generations.js';

/**
 * `octo videos gallery`: generations (failed and unfinished ones too) with the videos each made,
 * in one round trip with the session check.
 */

/** A video a generation made, as recorded (url: a local path or a storage URL). */
export type GalleryVideoRow = {
  id: string;
  url: string;
  thumbnail_url: string | null;
  azure_video_id: string | null;
  sora_version: string | null;
  width: number | null;
  height: number | null;
};

/** A generation as the gallery shows it: the generation row's own columns, with its videos. */
export type GalleryGenerationRow = Pick<
  GenerationRow,
  | 'id'
  | 'job_id'
  | 'status'
  | 'prompt'
  | 'sora_model'
  | 'duration'
  | 'resolution'
  | 'variants'
  | 'estimated_cost'
  | 'failure_reason'
  | 'tags'
  | 'profile_name'
  | 'batch_id'
  | 'batch_line'
  | 'created_at'
> & {
  videos: GalleryVideoRow[];
};

/** Which generations: a batch's lines (by id, or by the keys of the lines its file holds now), or a filtered newest-first list. */
export type GallerySelection =
  | { batchId: string; keys?: readonly string[] }
  | { limit: number; since?: Date; until?: Date; search?: string; statuses?: readonly string[]; tag?: { key: string; value?: string } };

const COLUMNS = `g.id, g.job_id, g.status, g.prompt, g.sora_model, g.duration, g.resolution, g.variants,
  g.estimated_cost::float8 AS estimated_cost, g.failure_reason, g.tags, g.profile_name, g.batch_id, g.batch_line, g.created_at,
  COALESCE((SELECT jsonb_agg(jsonb_build_object('id', m.id, 'url', m.url, 'thumbnail_url', m.thumbnail_url, 'azure_video_id', m.azure_video_id, 'sora_version', m.sora_version,
      'width', CASE WHEN m.width ~ '^[0-9]+$' THEN m.width::int END, 'height', CASE WHEN m.height ~ '^[0-9]+$' THEN m.height::int END)
    ORDER BY m.file_id, m.id)
    FROM video_metadata m WHERE m.generation_id = g.id AND m.user_id = g.user_id), '[]'::jsonb) AS videos`;

/** The generations `s` names and how many match (lists count up to COUNT_CAP + 1, for "showing 200 of 312"). */
export async function galleryGenerations(db: Db, session: SessionRef, s: GallerySelection): Promise<{ generations: GalleryGenerationRow[]; total: number }> {
  if ('batchId' in s) {
    // A file's lines in the file's order (an edited file keeps the rows of the lines it still has);
    // a batch id alone: every line it recorded, by line number.
    const generations = await db.forSession(session).query<GalleryGenerationRow>(
      `SELECT ${COLUMNS} FROM video_generations g
        WHERE g.user_id = (SELECT user_id FROM auth) AND g.batch_id = $1::uuid
          AND ($2::text[] IS NULL OR g.idempotency_key = ANY($2::text[]))
        ORDER BY array_position($2::text[], g.idempotency_key), g.batch_line, g.created_at`,
      [s.batchId, s.keys ? [...s.keys] : null],
    );
    return { generations, total: generations.length };
  }
  const where = `g.user_id = (SELECT user_id FROM auth)
        AND ($1::timestamptz IS NULL OR g.created_at >= $1)
        AND ($2::timestamptz IS NULL OR g.created_at < $2)
        AND ($3::text IS NULL OR g.prompt ILIKE '%' || $3 || '%')
        AND ($4::text[] IS NULL OR g.status = ANY($4::text[]))
        AND ($5::text IS NULL OR (jsonb_typeof(g.tags) = 'object' AND g.tags ? $5 AND ($6::text IS NULL OR g.tags ->> $5 = $6)))`;
  const found = await db.forSession(session).query<GalleryGenerationRow & { total_count: number }>(
    `SELECT ${COLUMNS},
        (SELECT count(*)::int FROM (SELECT 1 FROM video_generations g WHERE ${where} LIMIT ${COUNT_CAP + 1}) n) AS total_count
       FROM video_generations g
      WHERE ${where}
      ORDER BY g.created_at DESC, g.batch_line DESC NULLS LAST, g.id LIMIT $7`,
    [
      s.since?.toISOString() ?? null,
      s.until?.toISOString() ?? null,
      s.search ? escapeLike(s.search) : null,
      s.statuses ? [...s.statuses] : null,
      s.tag?.key ?? null,
      s.tag?.value ?? null,
      s.limit,
    ],
  );
  const generations = found.map(({ total_count: _, ...g }) => g);
  return { generations, total: found[0]?.total_count ?? 0 };
}
