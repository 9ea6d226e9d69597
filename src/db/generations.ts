import type { Session } from '../auth/session.js';
import { BudgetError } from '../cli/errors.js';
import { authedSql } from './authed.js';
import { AuthError } from '../cli/errors.js';
import type { Db } from './types.js';

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

export interface BudgetOverrun {
  profile_name: string | null;
  monthly_usd: number;
  committed: number;
  requested: number;
}

const RESERVE_SQL = `WITH incoming AS (
  SELECT * FROM jsonb_to_recordset($3::jsonb) AS x(
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
        AND g.status IN ('completed', 'queued', 'running')
        AND g.created_at >= (date_trunc('month', NOW() AT TIME ZONE $4) AT TIME ZONE $4)
        AND (b.profile_name IS NULL OR g.profile_name = b.profile_name)), 0) AS committed,
    COALESCE((SELECT sum(f.estimated_cost) FROM fresh f
      WHERE b.profile_name IS NULL OR f.profile_name = b.profile_name), 0) AS requested
  FROM octo_budgets b
  WHERE b.user_id = (SELECT user_id FROM auth)
),
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

/**
 * Records generations as `queued` (with their estimates) and reserves them against the user's
 * monthly budgets, in one atomic step: month-to-date completed + in-flight + these estimates
 * must fit every budget that applies (all spend, and the profile's own), or nothing is
 * written and BudgetError (exit 5) says the numbers.
 *
 * A per-user advisory lock serialises concurrent reservations: under READ COMMITTED two
 * statements would otherwise both see the old sums and together overshoot.
 *
 * Lines whose idempotency key is already recorded (a resumed batch) are skipped, not errors.
 */
export async function reserveGenerations(
  db: Db,
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'userId'>,
  rows: NewGeneration[],
  timeZone: string,
): Promise<ReservedGeneration[]> {
  const payload = rows.map((row) => ({
    ...row,
    idempotency_key: row.idempotency_key ?? null,
    batch_id: row.batch_id ?? null,
    batch_line: row.batch_line ?? null,
    request: row.request ?? null,
    tags: row.tags ?? null,
  }));
  const [, result] = await db.transaction([
    { text: 'SELECT pg_advisory_xact_lock(hashtext($1))', values: [`octo-budget:${session.userId}`] },
    {
      text: authedSql(RESERVE_SQL),
      values: [session.sessionId, session.tokenHash, JSON.stringify(payload), timeZone],
    },
  ]);
  const [head, body] = result as { __auth: number; __row: { inserted: ReservedGeneration[]; blocked: BudgetOverrun[] } | null }[];
  if (!head || Number(head.__auth) === 0 || !body?.__row) throw new AuthError('your session has expired or was revoked');
  const { inserted, blocked } = body.__row;
  if (blocked.length > 0) throw budgetError(blocked);
  return inserted;
}

const usd = (n: number) => `$${Number(n).toFixed(2)}`;

export function budgetError(blocked: BudgetOverrun[]): BudgetError {
  const b = blocked[0];
  const scope = b.profile_name ? `the monthly budget of profile ${b.profile_name}` : 'your monthly budget';
  return new BudgetError(
    `${scope} would be exceeded: ${usd(b.committed)} spent or in flight this month + ${usd(b.requested)} estimated = ${usd(
      Number(b.committed) + Number(b.requested),
    )} > ${usd(b.monthly_usd)}`,
    { hint: 'see: octo costs budget show (raise it with: octo costs budget set --monthly USD)' },
  );
}
