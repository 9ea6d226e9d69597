import { ROW_COLUMNS, type GenerationRow } from './generations.js';
import type { Db, SessionRef } from '../connection/types.js';

/**
 * Who works on a generation row, and every change of its state.
 *
 * Claims: a row octo may submit, poll or download is worked on by one process at a time, under a
 * lease (`claimed_by`, `claim_expires_at`) taken in one statement with `FOR UPDATE SKIP LOCKED`,
 * renewed while the process works and free for anyone once it has expired (a killed process).
 * Times are the database's (`NOW()`), so clocks of different machines never matter.
 *
 * Compare-and-set: every write names the state it expects and reports whether it happened, so a
 * finished or canceled row is never overwritten, a cancel of a line not yet submitted beats a
 * submit, and a process that lost its lease cannot start a create.
 */

/** In flight: the only states a worker may move a row out of. */
const OPEN = `('queued', 'running')`;
const MINE = `id = $1::uuid AND user_id = (SELECT user_id FROM auth)`;

export type ClaimedRow = GenerationRow & {
  claimed_by: string | null;
  held: boolean;
  /** Since submitted_at, on the database's clock (null: never submitted). */
  submitted_age_ms: number | null;
};

const AGE = `(EXTRACT(EPOCH FROM (NOW() - g.submitted_at)) * 1000)::float8 AS submitted_age_ms`;
const STATE_COLUMNS = `${ROW_COLUMNS}, g.claimed_by, COALESCE(g.claim_expires_at > NOW(), false) AS held, ${AGE}`;

/**
 * Claims the first of `ids` (by creation, then line) that is unfinished and not held by anyone
 * (never claimed, released, or its lease expired); `unsubmittedOnly` skips rows with a job id.
 * One statement: rows another transaction is claiming right now are skipped, not waited for.
 */
export async function claimNext(
  db: Db,
  session: SessionRef,
  o: { ids: string[]; owner: string; leaseMs: number; unsubmittedOnly?: boolean },
): Promise<ClaimedRow | undefined> {
  if (o.ids.length === 0) return undefined;
  const [row] = await db.forSession(session).query<ClaimedRow>(
    `WITH cand AS (
       SELECT c.id FROM video_generations c
        WHERE c.user_id = (SELECT user_id FROM auth) AND c.id = ANY($1::uuid[]) AND c.status IN ${OPEN}
          AND (c.claimed_by IS NULL OR c.claim_expires_at IS NULL OR c.claim_expires_at <= NOW())
          AND (NOT $4::boolean OR c.job_id IS NULL)
        ORDER BY c.created_at, c.batch_line
        LIMIT 1
        FOR UPDATE OF c SKIP LOCKED)
     UPDATE video_generations g SET claimed_by = $2, claim_expires_at = NOW() + ($3::float8 * interval '1 millisecond')
       FROM cand WHERE g.id = cand.id
     RETURNING ${ROW_COLUMNS}, g.claimed_by, true AS held, ${AGE}`,
    [o.ids, o.owner, o.leaseMs, Boolean(o.unsubmittedOnly)],
  );
  return row;
}

/** Extends the leases `owner` still holds among `ids`; returns the ids it still holds. */
export async function renewClaims(db: Db, session: SessionRef, owner: string, ids: string[], leaseMs: number): Promise<string[]> {
  if (ids.length === 0) return [];
  const rows = await db.forSession(session).query<{ id: string }>(
    `UPDATE video_generations SET claim_expires_at = NOW() + ($3::float8 * interval '1 millisecond')
      WHERE id = ANY($1::uuid[]) AND user_id = (SELECT user_id FROM auth) AND claimed_by = $2 RETURNING id`,
    [ids, owner, leaseMs],
  );
  return rows.map((r) => r.id);
}

/** Gives a row back (done with it, or stopping): anyone may claim it at once. */
export async function releaseClaim(db: Db, session: SessionRef, owner: string, id: string): Promise<void> {
  await db.forSession(session).query(
    `UPDATE video_generations SET claimed_by = NULL, claim_expires_at = NULL
      WHERE ${MINE} AND claimed_by = $2 RETURNING id`,
    [id, owner],
  );
}

/** The rows as they are now, with whether someone holds a live lease on each, and for how long still (ms, the database's clock). */
export async function currentRows(db: Db, session: SessionRef, ids: string[]): Promise<(ClaimedRow & { held_ms: number | null })[]> {
  if (ids.length === 0) return [];
  return db.forSession(session).query<ClaimedRow & { held_ms: number | null }>(
    `SELECT ${STATE_COLUMNS}, GREATEST(0, EXTRACT(EPOCH FROM (g.claim_expires_at - NOW())) * 1000)::float8 AS held_ms FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth) AND g.id = ANY($1::uuid[]) ORDER BY g.created_at, g.batch_line`,
    [ids],
  );
}

const changed = (rows: unknown[]) => rows.length > 0;

/**
 * Just before the create request: from now on the job may exist at the service. Happens only
 * while `owner`'s lease is live and the row is still queued without a job id (a cancel, another
 * process or a lost lease make it false: then nothing may be created).
 */
export async function markSubmitted(db: Db, session: SessionRef, id: string, owner: string): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET submitted_at = NOW(), updated_at = NOW()
        WHERE ${MINE} AND claimed_by = $2 AND claim_expires_at > NOW() AND status = 'queued' AND job_id IS NULL RETURNING id`,
      [id, owner],
    ),
  );
}

/**
 * Right after the create answered (or a crashed create was found in the service's list, among
 * the jobs no row owns): only on an unfinished row with no job id yet.
 */
export async function recordJobId(db: Db, session: SessionRef, id: string, jobId: string, status: string): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations
          SET job_id = $2, video_id = $2, status = $3, submitted_at = COALESCE(submitted_at, NOW()), updated_at = NOW()
        WHERE ${MINE} AND job_id IS NULL AND status IN ${OPEN} RETURNING id`,
      [id, jobId, status],
    ),
  );
}

/**
 * recordJobId for a job found in the service's list (a recovered orphan): only when no other row
 * of the user has it. Rows of identical lines recovered at once by several workers otherwise all
 * take the one job that matches them (the other jobs, made and billed, never recorded). A lock
 * per job id serialises the takers; the second one's check sees the first's row.
 */
export async function recordFoundJob(db: Db, session: SessionRef, id: string, jobId: string, status: string): Promise<boolean> {
  const [, rows] = await db.forSession(session).transaction([
    { text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [`octo-job:${jobId}`], unchecked: true },
    {
      text: `UPDATE video_generations
          SET job_id = $2, video_id = $2, status = $3, submitted_at = COALESCE(submitted_at, NOW()), updated_at = NOW()
        WHERE ${MINE} AND job_id IS NULL AND status IN ${OPEN}
          AND NOT EXISTS (SELECT 1 FROM video_generations o WHERE o.user_id = (SELECT user_id FROM auth) AND o.job_id = $2)
        RETURNING id`,
      values: [id, jobId, status],
    },
  ]);
  return (rows?.length ?? 0) > 0;
}

/** queued → running (and progress) while polling job `jobId`. */
export async function updateGenerationStatus(
  db: Db,
  session: SessionRef,
  id: string,
  jobId: string,
  status: string,
  progress: number | null,
): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET status = $2, progress = $3, updated_at = NOW()
        WHERE ${MINE} AND job_id = $4 AND status IN ${OPEN} RETURNING id`,
      [id, status, progress, jobId],
    ),
  );
}

/** Ends an unfinished generation without videos: `failed` (with the reason) or `canceled`. */
export async function finishGeneration(db: Db, session: SessionRef, id: string, status: 'failed' | 'canceled', reason: string | null): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET status = $2, failure_reason = $3, finished_at = NOW(), updated_at = NOW()
        WHERE ${MINE} AND status IN ${OPEN} RETURNING id`,
      [id, status, reason],
    ),
  );
}

/**
 * A create the service refused before creating anything (the deployment is missing or its model
 * retired): failed, and its estimate set to 0, so no report, budget or in-flight sum counts it.
 */
export async function refuseUnbilled(db: Db, session: SessionRef, id: string, reason: string): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET status = 'failed', failure_reason = $2, estimated_cost = 0, finished_at = NOW(), updated_at = NOW()
        WHERE ${MINE} AND status IN ${OPEN} RETURNING id`,
      [id, reason],
    ),
  );
}

/**
 * A create that provably never reached the service (connection refused, no DNS): the line goes
 * back to never submitted, so `jobs cancel` ends it and `jobs wait` or `--resume` submits it.
 */
export async function unmarkSubmitted(db: Db, session: SessionRef, id: string, owner: string): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET submitted_at = NULL, updated_at = NOW()
        WHERE ${MINE} AND claimed_by = $2 AND status = 'queued' AND job_id IS NULL RETURNING id`,
      [id, owner],
    ),
  );
}

/**
 * `jobs cancel` of a line never submitted: wins over any process about to submit it (whose
 * markSubmitted then changes nothing). False when the row was submitted or finished meanwhile.
 */
export async function cancelUnsubmitted(db: Db, session: SessionRef, id: string, reason: string): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET status = 'canceled', failure_reason = $2, finished_at = NOW(), updated_at = NOW()
        WHERE ${MINE} AND status = 'queued' AND job_id IS NULL AND submitted_at IS NULL RETURNING id`,
      [id, reason],
    ),
  );
}

/**
 * `jobs cancel` of a line with no job id whose create was sent (its answer never recorded: it may
 * or may not have reached the service): canceled in octo. A process still waiting on that create,
 * or looking for its job, can then record it only as an extra job of the line (recordExtraJob).
 * False when a job id was recorded or the row finished meanwhile.
 */
export async function cancelWithoutJob(db: Db, session: SessionRef, id: string, reason: string): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET status = 'canceled', failure_reason = $2, finished_at = NOW(), updated_at = NOW()
        WHERE ${MINE} AND status IN ${OPEN} AND job_id IS NULL RETURNING id`,
      [id, reason],
    ),
  );
}

/**
 * A submitted line whose profile was removed: octo can no longer reach its job, so it stops
 * counting as in flight (`status`: canceled by `jobs cancel`, failed by a run), the reason saying
 * that the remote job was not canceled. Only on a row still unfinished with that job id.
 */
export async function abandonJob(
  db: Db,
  session: SessionRef,
  id: string,
  jobId: string | null,
  status: 'failed' | 'canceled',
  reason: string,
): Promise<boolean> {
  return changed(
    await db.forSession(session).query(
      `UPDATE video_generations SET status = $3, failure_reason = $4, finished_at = NOW(), updated_at = NOW()
        WHERE ${MINE} AND status IN ${OPEN} AND job_id IS NOT DISTINCT FROM $2 RETURNING id`,
      [id, jobId, status, reason],
    ),
  );
}

export type NewVideo = {
  file_id: string;
  url: string;
  thumbnail_url: string | null;
  prompt: string;
  width: number;
  height: number;
  duration: number;
  sora_version: string;
  azure_video_id: string;
  expires_at: string | null;
};

/**
 * Inserts the downloaded videos and marks the generation completed, as one statement (so atomic
 * on every driver), only if it is still unfinished: a row finished or canceled meanwhile, or
 * completed by another process, gets no second set of videos. True when this call completed it.
 */
export async function completeGeneration(db: Db, session: SessionRef, id: string, videos: NewVideo[]): Promise<boolean> {
  const [row] = await db.forSession(session).query<{ updated: number }>(
    `WITH gen AS (
       UPDATE video_generations SET status = 'completed', progress = 100, finished_at = NOW(), failure_reason = NULL, updated_at = NOW()
        WHERE ${MINE} AND status IN ${OPEN}
        RETURNING id, user_id),
     ins AS (
       INSERT INTO video_metadata (user_id, file_id, url, thumbnail_url, prompt, width, height, duration, sora_version,
         azure_video_id, expires_at, generation_id)
       SELECT gen.user_id, v.file_id, v.url, v.thumbnail_url, v.prompt, v.width::text, v.height::text, v.duration::text,
         v.sora_version, v.azure_video_id, v.expires_at, gen.id
         FROM gen, jsonb_to_recordset($2::jsonb) AS v(file_id TEXT, url TEXT, thumbnail_url TEXT, prompt TEXT, width INTEGER,
           height INTEGER, duration INTEGER, sora_version TEXT, azure_video_id TEXT, expires_at TIMESTAMPTZ)
       RETURNING id)
     SELECT (SELECT count(*) FROM gen)::int AS updated, (SELECT count(*) FROM ins)::int AS inserted`,
    [id, JSON.stringify(videos)],
  );
  return Number(row?.updated ?? 0) > 0;
}

/** Job ids the user's rows already own (recent ones): an orphan never matches one of these. */
export async function knownJobIds(db: Db, session: SessionRef): Promise<string[]> {
  const rows = await db.forSession(session).query<{ job_id: string }>(
    `SELECT g.job_id FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth) AND g.job_id IS NOT NULL AND g.created_at > NOW() - INTERVAL '3 days'`,
  );
  return rows.map((r) => r.job_id);
}
