import type { Db } from '../connection/types.js';

/**
 * One create quota per Azure resource (endpoint host + deployment), kept in the database so every
 * octo process of every user on that resource shares it (octo_create_pacing, octo_create_pacers).
 *
 * - The pace is the strictest `creates per minute` any process asked for in the last two minutes
 *   (NULL or 0: unpaced; a 429 still pauses everyone).
 * - As the service counts: at most `pace` creates in any window of a minute (stretched a little,
 *   so network jitter never tips the service's own count over), kept as the list
 *   of the window's create times on the resource's row. Taking a create appends to it; the
 *   UPDATE's row lock makes two takers of the last place impossible.
 * - A 429 moves `paused_until` to its Retry-After for everyone.
 *
 * Every time is the database's clock (clock_timestamp(): the moment, not the transaction's start).
 * These rows hold no user data (a host name and a deployment).
 */

export interface CreateTurn {
  /** True: this process may send its create now (its place in the window is taken). */
  granted: boolean;
  /** Otherwise: how long until a place frees up (or the pause ends). */
  waitMs: number;
  /** The pace in force (null: unpaced). */
  createsPerMinute: number | null;
  pausedMs: number;
}

/** A minute, and 2% more: the service's own count never sees `pace` + 1 creates in its minute. */
export const QUOTA_WINDOW_MS = 61_200;

const PACE = `SELECT min(creates_per_minute) AS cpm FROM octo_create_pacers WHERE resource = $1 AND seen_at > clock_timestamp() - INTERVAL '2 minutes'`;
const IN_WINDOW = `SELECT t FROM unnest(p.recent) t WHERE t > clock_timestamp() - $2::float8 * INTERVAL '1 millisecond'`;

/** Takes a create place on `resource` if one is free. `pace`: this process's own (null or 0: unpaced). */
export async function takeCreateTurn(db: Db, o: { resource: string; owner: string; pace: number | null; windowMs?: number }): Promise<CreateTurn> {
  const pace = o.pace && o.pace > 0 ? o.pace : null;
  const windowMs = o.windowMs ?? QUOTA_WINDOW_MS;
  const results = await db.transaction([
    { text: `INSERT INTO octo_create_pacing (resource) VALUES ($1) ON CONFLICT (resource) DO NOTHING`, values: [o.resource] },
    {
      text: `INSERT INTO octo_create_pacers (resource, owner, creates_per_minute, seen_at) VALUES ($1, $2, $3, clock_timestamp())
             ON CONFLICT (resource, owner) DO UPDATE SET creates_per_minute = EXCLUDED.creates_per_minute, seen_at = EXCLUDED.seen_at`,
      values: [o.resource, o.owner, pace],
    },
    {
      text: `WITH pace AS (${PACE})
             UPDATE octo_create_pacing p
                SET recent = ARRAY(${IN_WINDOW} ORDER BY t) || clock_timestamp(),
                    creates_per_minute = (SELECT cpm FROM pace), creates = p.creates + 1, updated_at = clock_timestamp()
              WHERE p.resource = $1 AND (p.paused_until IS NULL OR p.paused_until <= clock_timestamp())
                AND (COALESCE((SELECT cpm FROM pace), 0) <= 0 OR (SELECT count(*) FROM (${IN_WINDOW}) w) < (SELECT cpm FROM pace))
             RETURNING p.resource`,
      values: [o.resource, windowMs],
    },
    {
      text: `WITH pace AS (${PACE}),
                  w AS (SELECT ARRAY(${IN_WINDOW} ORDER BY t) AS r, p.paused_until FROM octo_create_pacing p WHERE p.resource = $1)
             SELECT (SELECT cpm FROM pace) AS cpm,
                    GREATEST(0, EXTRACT(EPOCH FROM (COALESCE(w.paused_until, clock_timestamp()) - clock_timestamp())) * 1000)::float8 AS paused_ms,
                    CASE WHEN COALESCE((SELECT cpm FROM pace), 0) > 0 AND cardinality(w.r) >= (SELECT cpm FROM pace)
                         THEN GREATEST(0, EXTRACT(EPOCH FROM (w.r[cardinality(w.r) - (SELECT cpm FROM pace) + 1]
                                + $2::float8 * INTERVAL '1 millisecond' - clock_timestamp())) * 1000)::float8
                         ELSE 0 END AS window_ms
               FROM w`,
      values: [o.resource, windowMs],
    },
  ]);
  const granted = (results[2] ?? []).length > 0;
  const state = (results[3]?.[0] ?? {}) as { cpm: number | null; window_ms: number; paused_ms: number };
  const pausedMs = Number(state.paused_ms ?? 0);
  return {
    granted,
    waitMs: granted ? 0 : Math.max(1, Math.ceil(Math.max(pausedMs, Number(state.window_ms ?? 0)))),
    createsPerMinute: state.cpm === null || state.cpm === undefined ? null : Number(state.cpm),
    pausedMs,
  };
}

/** A 429 on `resource`: every process pauses its creates there until `ms` from now. */
export async function pauseCreates(db: Db, resource: string, ms: number): Promise<void> {
  await db.query(
    `INSERT INTO octo_create_pacing AS p (resource, paused_until, rate_limited) VALUES ($1, clock_timestamp() + $2::float8 * INTERVAL '1 millisecond', 1)
     ON CONFLICT (resource) DO UPDATE
       SET paused_until = GREATEST(COALESCE(p.paused_until, EXCLUDED.paused_until), EXCLUDED.paused_until), rate_limited = p.rate_limited + 1, updated_at = clock_timestamp()`,
    [resource, ms],
  );
}

/**
 * A process done creating: its pace stays in force for the two minutes after its last turn, as
 * for any process seen recently. Its creates are in the resource's window; dropping its pace at
 * once would let a process asking for a laxer one fill that window past the service's quota (a
 * 429 for everyone). Rows nobody has renewed for that long (the dead's too) are removed.
 */
export async function leavePacing(db: Db, _owner: string): Promise<void> {
  await db.query(`DELETE FROM octo_create_pacers WHERE seen_at <= clock_timestamp() - INTERVAL '2 minutes'`);
}
