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
 * These rows hold no user data (a host name and a deployment). Nobody writes them directly: the
 * functions of scripts/migrations/101_pacing_through_functions.sql bound what a member may ask for
 * (a pause of at most 5 minutes, a pace of 1 to 10,000, the database's clock for `seen_at`).
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

/** Takes a create place on `resource` if one is free. `pace`: this process's own (null or 0: unpaced). One statement. */
export async function takeCreateTurn(db: Db, o: { resource: string; owner: string; pace: number | null; windowMs?: number }): Promise<CreateTurn> {
  const pace = o.pace && o.pace > 0 ? o.pace : null;
  const [row] = await db.query<{ granted: boolean; creates_per_minute: number | null; paused_ms: number; window_ms: number }>(
    'SELECT granted, creates_per_minute, paused_ms, window_ms FROM octo_pacing_take($1, $2, $3, $4)',
    [o.resource, o.owner, pace, o.windowMs ?? QUOTA_WINDOW_MS],
  );
  const granted = Boolean(row?.granted);
  const pausedMs = Number(row?.paused_ms ?? 0);
  return {
    granted,
    waitMs: granted ? 0 : Math.max(1, Math.ceil(Math.max(pausedMs, Number(row?.window_ms ?? 0)))),
    createsPerMinute: row?.creates_per_minute === null || row?.creates_per_minute === undefined ? null : Number(row.creates_per_minute),
    pausedMs,
  };
}

/**
 * A 429 on `resource`: every process pauses its creates there until `ms` from now. The database
 * caps the pause at 5 minutes, the longest Retry-After octo's client obeys.
 */
export async function pauseCreates(db: Db, resource: string, ms: number): Promise<void> {
  await db.query('SELECT octo_pacing_pause($1, $2)', [resource, ms]);
}

/**
 * A process done creating: its pace stays in force for the two minutes after its last turn, as
 * for any process seen recently. Its creates are in the resource's window; dropping its pace at
 * once would let a process asking for a laxer one fill that window past the service's quota (a
 * 429 for everyone). Rows nobody has renewed for that long (the dead's too) are removed.
 */
export async function leavePacing(db: Db, _owner: string): Promise<void> {
  await db.query('SELECT octo_pacing_leave()');
}
