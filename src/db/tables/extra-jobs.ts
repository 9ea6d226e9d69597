import { ROW_COLUMNS, type GenerationRow } from './generations.js';
import type { Db, SessionRef } from '../connection/types.js';

/**
 * Jobs the service made that no row of octo recorded: a create whose answer came after its line
 * was canceled or finished, a second create of a line, a job found only by `jobs reconcile`. Each
 * is paid for, so each is recorded as what it is: an extra job of its line, a row of its own with
 * the line's request, estimate, batch and line number (`request.extra_of` names the line), so
 * `costs` counts it and `jobs wait` follows it to its videos.
 */

const MINE = `(SELECT user_id FROM auth)`;

/**
 * Records job `jobId` as an extra job of line `lineId`, once: a lock per job id serialises every
 * process that finds it, and none records a job some row already has. True when this call did.
 */
export async function recordExtraJob(
  db: Db,
  session: SessionRef,
  lineId: string,
  job: { id: string; status: string; createdAt: string | null },
): Promise<string | null> {
  const status = job.status === 'queued' ? 'queued' : 'running';
  const [, rows] = await db.forSession(session).transaction([
    { text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [`octo-job:${job.id}`], unchecked: true },
    {
      text: `INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, variants, generation_mode,
          estimated_cost, profile_name, status, batch_id, batch_line, request, tags, unit_price_usd, pricing_version,
          job_id, video_id, submitted_at)
        SELECT l.user_id, l.prompt, l.sora_model, l.duration, l.resolution, l.variants, l.generation_mode,
          l.estimated_cost, l.profile_name, $3::text, l.batch_id, l.batch_line,
          COALESCE(l.request, '{}'::jsonb) || jsonb_build_object('extra_of', l.id::text), l.tags, l.unit_price_usd, l.pricing_version,
          $2::text, $2::text, COALESCE($4::timestamptz, NOW())
          FROM video_generations l
         WHERE l.id = $1::uuid AND l.user_id = ${MINE}
           AND NOT EXISTS (SELECT 1 FROM video_generations o WHERE o.user_id = ${MINE} AND o.job_id = $2::text)
        RETURNING id`,
      values: [lineId, job.id, status, job.createdAt],
    },
  ]);
  const [row] = (rows ?? []) as { id: string }[];
  return row?.id ?? null;
}

/** Which of `jobIds` some row of the user has (any age). */
export async function recordedJobIds(db: Db, session: SessionRef, jobIds: string[]): Promise<Set<string>> {
  if (jobIds.length === 0) return new Set();
  const rows = await db
    .forSession(session)
    .query<{ job_id: string }>(`SELECT g.job_id FROM video_generations g WHERE g.user_id = ${MINE} AND g.job_id = ANY($1::text[])`, [jobIds]);
  return new Set(rows.map((r) => r.job_id));
}

/**
 * The lines a job of `profile` created in [from, to] could be of: submitted (a create sent) on
 * that profile, no later than the last job (plus slack), newest first. The caller matches prompt,
 * size and seconds.
 */
export async function submittedLines(db: Db, session: SessionRef, profile: string, from: Date, to: Date, slackMs: number): Promise<GenerationRow[]> {
  return db.forSession(session).query<GenerationRow>(
    `SELECT ${ROW_COLUMNS} FROM video_generations g
      WHERE g.user_id = ${MINE} AND g.profile_name = $1 AND g.submitted_at IS NOT NULL
        AND g.submitted_at <= $3::timestamptz + ($4::float8 * interval '1 millisecond')
        AND g.submitted_at >= $2::timestamptz - interval '1 day'
        AND g.request->>'extra_of' IS NULL
      ORDER BY g.submitted_at DESC`,
    [profile, from.toISOString(), to.toISOString(), slackMs],
  );
}
