import { costStateSql } from './costs.js';
import { AuthError } from '../../core/errors.js';
import type { Db, SessionRef } from '../connection/types.js';
import { COUNT_CAP, idPrefix, pickById } from './ids.js';
import { profileFromJson, profileWithKeyColumns } from './profile-config.js';
import type { ProfileWithKey } from '../../sora/profile.js';

/** A generation about to be submitted: recorded (status queued) before any money is spent. */
export interface NewGeneration {
  prompt: string;
  /** Priced model: sora-1, sora-2, sora-2-pro. */
  sora_model: string;
  duration: number;
  /** "WxH". */
  resolution: string;
  variants: number;
  generation_mode: 'text-to-video' | 'image-to-video' | 'remix';
  estimated_cost: number;
  profile_name: string;
  /** Unique per user: a batch line's key, so a resumed batch never records (or submits) twice. */
  idempotency_key?: string | null;
  batch_id?: string | null;
  batch_line?: number | null;
  /** What is needed to submit it again after a crash (image path, remix id, size, seconds…). */
  request?: Record<string, unknown> | null;
  tags?: Record<string, string> | null;
  unit_price_usd: number;
  pricing_version: string;
}

export interface ReservedGeneration {
  id: string;
  idempotency_key: string | null;
  batch_line: number | null;
}

/** One monthly budget (a profile's, or all spend's when `profile_name` is null) and what a reservation adds to it. */
export interface BudgetSpend {
  profile_name: string | null;
  monthly_usd: number;
  /** Month to date: completed plus in flight. */
  committed: number;
  /** The estimates of the rows being reserved that this budget covers. */
  requested: number;
}

/** A budget that a reservation would take past its monthly amount. */
export type BudgetOverrun = BudgetSpend;

/** A dry run's check of one budget: `over` as the reservation itself would decide it (in exact decimals). */
export type BudgetCheck = BudgetSpend & { over: boolean };

/** What a reservation of `$1` (rows as JSON) would add to each budget of the user, month to date in zone `$2`. */
const BUDGET_SPEND_SQL = `WITH incoming AS (
  SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(
    prompt TEXT, sora_model TEXT, duration INTEGER, resolution TEXT, variants INTEGER,
    generation_mode TEXT, estimated_cost NUMERIC, profile_name TEXT, idempotency_key TEXT,
    batch_id UUID, batch_line INTEGER, request JSONB, tags JSONB, unit_price_usd NUMERIC, pricing_version TEXT)
),
fresh AS (
  SELECT i.* FROM incoming i
  WHERE i.idempotency_key IS NULL OR NOT EXISTS (
    SELECT 1 FROM video_generations g
    WHERE g.user_id = (SELECT user_id FROM auth) AND g.idempotency_key = i.idempotency_key)
),
spend AS (
  SELECT b.profile_name, b.monthly_usd,
    COALESCE((SELECT sum(g.estimated_cost) FROM video_generations g
      WHERE g.user_id = b.user_id
        AND ${costStateSql('g.status')} <> 'failed'
        AND g.created_at >= (date_trunc('month', NOW() AT TIME ZONE $2) AT TIME ZONE $2)
        AND (b.profile_name IS NULL OR g.profile_name = b.profile_name)), 0) AS committed,
    COALESCE((SELECT sum(f.estimated_cost) FROM fresh f
      WHERE b.profile_name IS NULL OR f.profile_name = b.profile_name), 0) AS requested
  FROM octo_budgets b
  WHERE b.user_id = (SELECT user_id FROM auth)
)`;

const RESERVE_SQL = `${BUDGET_SPEND_SQL},
blocked AS (SELECT * FROM spend WHERE requested > 0 AND committed + requested > monthly_usd),
inserted AS (
  INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, variants,
    generation_mode, estimated_cost, profile_name, status, idempotency_key, batch_id, batch_line,
    request, tags, unit_price_usd, pricing_version)
  SELECT (SELECT user_id FROM auth), f.prompt, f.sora_model, f.duration, f.resolution, f.variants,
    f.generation_mode, f.estimated_cost, f.profile_name, 'queued', f.idempotency_key, f.batch_id,
    f.batch_line, f.request, f.tags, f.unit_price_usd, f.pricing_version
  FROM fresh f
  WHERE EXISTS (SELECT 1 FROM auth) AND NOT EXISTS (SELECT 1 FROM blocked)
  RETURNING id, idempotency_key, batch_line
)
SELECT (SELECT COALESCE(jsonb_agg(inserted ORDER BY batch_line), '[]'::jsonb) FROM inserted) AS inserted,
       (SELECT COALESCE(jsonb_agg(blocked), '[]'::jsonb) FROM blocked) AS blocked`;

const reservePayload = (row: NewGeneration) => ({
  ...row,
  idempotency_key: row.idempotency_key ?? null,
  batch_id: row.batch_id ?? null,
  batch_line: row.batch_line ?? null,
  request: row.request ?? null,
  tags: row.tags ?? null,
});

/**
 * Records generations as `queued` (with their estimates) and reserves them against the user's
 * monthly budgets, in one atomic step: month-to-date completed + in-flight + these estimates
 * must fit every budget that applies (all spend, and the profile's own), or nothing is
 * written and `blocked` lists the budgets it would exceed (the caller words the refusal:
 * src/generate/reserve.ts).
 *
 * A per-user advisory lock serialises concurrent reservations: under READ COMMITTED two
 * statements would otherwise both see the old sums and together overshoot.
 *
 * Lines whose idempotency key is already recorded (a resumed batch) are skipped, not errors.
 */
export async function reserveGenerationRows(
  db: Db,
  session: SessionRef & { userId: string },
  rows: NewGeneration[],
  timeZone: string,
): Promise<{ inserted: ReservedGeneration[]; blocked: BudgetOverrun[] }> {
  const payload = rows.map(reservePayload);
  const [, result] = await db.forSession(session).transaction([
    { text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [`octo-budget:${session.userId}`], unchecked: true },
    { text: RESERVE_SQL, values: [JSON.stringify(payload), timeZone] },
  ]);
  // The statement always answers one row (two aggregates); none means no session row either.
  const [row] = (result ?? []) as { inserted: ReservedGeneration[]; blocked: BudgetOverrun[] }[];
  if (!row) throw new AuthError('your session has expired or was revoked');
  return row;
}

/**
 * `generate --dry-run`: the budgets a reservation of these rows would be checked against, with
 * what it would add, computed exactly as `reserveGenerationRows` does but recording nothing (so no
 * lock either: nothing is written, and a real run checks again).
 */
export async function budgetsForRows(db: Db, session: SessionRef, rows: NewGeneration[], timeZone: string): Promise<BudgetCheck[]> {
  return db.forSession(session).query<BudgetCheck & Record<string, unknown>>(
    `${BUDGET_SPEND_SQL} SELECT profile_name, monthly_usd::float8 AS monthly_usd, committed::float8 AS committed, requested::float8 AS requested,
           committed + requested > monthly_usd AS over
         FROM spend WHERE requested > 0 ORDER BY profile_name NULLS FIRST`,
    [JSON.stringify(rows.map(reservePayload)), timeZone],
  );
}

// ---- generate, jobs: everything after the reservation ----------------------------------------

/** Every profile of the user (one round trip, session checked): batch lines may name any. */
export async function loadUserProfiles(db: Db, session: SessionRef): Promise<ProfileWithKey[]> {
  return db
    .forSession(session)
    .query<ProfileWithKey & Record<string, unknown>>(
      `SELECT ${profileWithKeyColumns('p')} FROM profiles_config p WHERE p.user_id = (SELECT user_id FROM auth) ORDER BY p.name`,
    );
}

/** A generation row as the runner and `jobs` see it. */
export type GenerationRow = {
  id: string;
  job_id: string | null;
  status: string;
  prompt: string;
  sora_model: string;
  duration: number;
  resolution: string;
  variants: number;
  generation_mode: string;
  estimated_cost: number;
  profile_name: string | null;
  batch_id: string | null;
  batch_line: number | null;
  request: Record<string, unknown> | null;
  tags: Record<string, string> | null;
  submitted_at: Date | null;
  finished_at: Date | null;
  failure_reason: string | null;
  created_at: Date;
  /** Absolute paths of the downloaded videos (video_metadata.url). */
  files: string[];
};

export const ROW_COLUMNS = `g.id, g.job_id, g.status, g.prompt, g.sora_model, g.duration, g.resolution, g.variants,
  g.generation_mode, g.estimated_cost::float8 AS estimated_cost, g.profile_name, g.batch_id, g.batch_line, g.request, g.tags,
  g.submitted_at, g.finished_at, g.failure_reason, g.created_at,
  COALESCE((SELECT jsonb_agg(m.url ORDER BY m.file_id) FROM video_metadata m WHERE m.generation_id = g.id), '[]'::jsonb) AS files`;

/** The rows recorded under these idempotency keys (a batch's lines), in the keys' order; one round trip. */
export async function generationsByKeys(db: Db, session: SessionRef, keys: string[]): Promise<(GenerationRow & { idempotency_key: string })[]> {
  return db.forSession(session).query<GenerationRow & { idempotency_key: string }>(
    `SELECT ${ROW_COLUMNS}, g.idempotency_key FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth) AND g.idempotency_key = ANY($1::text[])
      ORDER BY array_position($1::text[], g.idempotency_key)`,
    [keys],
  );
}

/**
 * `jobs wait`: one row by generation id or job id, or (null) every unfinished row octo can act on
 * (one with a job id, or with the stored request to submit it).
 */
export async function unfinishedGenerations(db: Db, session: SessionRef, idOrJobId: string | null): Promise<GenerationRow[]> {
  const rows = await db.forSession(session).query<GenerationRow>(
    `SELECT ${ROW_COLUMNS} FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth)
        AND ($1::text IS NULL AND g.status IN ('queued', 'running') AND (g.job_id IS NOT NULL OR g.request IS NOT NULL)
             OR g.id::text = $1 OR g.job_id = $1 OR g.id::text LIKE $2 || '%')
      ORDER BY g.created_at, g.batch_line`,
    [idOrJobId, idOrJobId === null ? null : idPrefix(idOrJobId)],
  );
  if (idOrJobId === null) return rows;
  const one = pickById(rows, idOrJobId, { what: 'job', exact: (g) => [g.job_id], describe: describeJob });
  return one ? [one] : [];
}

function describeJob(g: GenerationRow): string {
  return `${g.status}  ${g.prompt.slice(0, 40)}`;
}

export type JobListRow = {
  id: string;
  job_id: string | null;
  status: string;
  prompt: string;
  profile_name: string | null;
  created_at: Date;
  estimated_cost: number;
  failure_reason: string | null;
};

/** `jobs list` (one round trip, session checked). */
/** The rows hold both spellings of a cancelled job (the web app's and octo's), and `succeeded` is completed (as costs count it). */
const statusSpellings = (status: string): string[] =>
  status === 'canceled' || status === 'cancelled' ? ['canceled', 'cancelled'] : status === 'completed' ? ['completed', 'succeeded'] : [status];

export async function listJobs(db: Db, session: SessionRef, o: { status?: string; limit: number }): Promise<{ jobs: JobListRow[]; total: number }> {
  const where = 'g.user_id = (SELECT user_id FROM auth) AND ($1::text[] IS NULL OR g.status = ANY($1::text[]))';
  const found = await db.forSession(session).query<JobListRow & { total_count: number }>(
    `SELECT g.id, g.job_id, g.status, g.prompt, g.profile_name, g.created_at, g.estimated_cost::float8 AS estimated_cost, g.failure_reason,
        (SELECT count(*)::int FROM (SELECT 1 FROM video_generations g WHERE ${where} LIMIT ${COUNT_CAP + 1}) n) AS total_count
       FROM video_generations g
      WHERE ${where}
      ORDER BY g.created_at DESC, g.batch_line DESC NULLS LAST LIMIT $2`,
    [o.status === undefined ? null : statusSpellings(o.status), o.limit],
  );
  const jobs = found.map(({ total_count: _, ...j }) => j);
  return { jobs, total: found[0]?.total_count ?? 0 };
}

/** `jobs cancel`: the row and its profile in one round trip. */
export async function generationWithProfile(
  db: Db,
  session: SessionRef,
  idOrJobId: string,
): Promise<(GenerationRow & { profile: ProfileWithKey | null }) | undefined> {
  const found = await db.forSession(session).query<GenerationRow & { profile: ProfileWithKey | null }>(
    `SELECT ${ROW_COLUMNS},
        (SELECT to_jsonb(p) FROM (SELECT ${profileWithKeyColumns('pc')}
           FROM profiles_config pc WHERE pc.user_id = g.user_id AND pc.name = g.profile_name LIMIT 1) p) AS profile
       FROM video_generations g
      WHERE g.user_id = (SELECT user_id FROM auth) AND (g.id::text = $1 OR g.job_id = $1 OR g.id::text LIKE $2 || '%')
      ORDER BY g.created_at DESC LIMIT 10`,
    [idOrJobId, idPrefix(idOrJobId)],
  );
  const row = pickById(found, idOrJobId, { what: 'job', exact: (g) => [g.job_id], describe: describeJob });
  return row && { ...row, profile: profileFromJson(row.profile) };
}

/**
 * The newest run of a batch: 1 for its first run, r for the one `generate --file --again` started
 * r-1 times later (its lines' keys carry `:runR:`; a first run's carry none). 0: never run.
 */
export async function latestBatchRun(db: Db, session: SessionRef, batchId: string): Promise<number> {
  const [row] = await db.forSession(session).query<{ run: number }>(
    `SELECT COALESCE(max(COALESCE(substring(g.idempotency_key from ':run([0-9]+):')::int, 1)), 0)::int AS run
       FROM video_generations g WHERE g.user_id = (SELECT user_id FROM auth) AND g.batch_id = $1::uuid AND g.idempotency_key IS NOT NULL`,
    [batchId],
  );
  return Number(row?.run ?? 0);
}
