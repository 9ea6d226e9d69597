import { onlyRow } from './rows.js';
import type { Db, SessionRef } from '../connection/types.js';

/**
 * Cost reports: every sum is made by the database, in one round trip (session check included).
 * They add up the `estimated_cost` each row was recorded with, never a price recomputed today,
 * so an old report never changes when prices do.
 */

export const COST_GROUPINGS = ['day', 'week', 'month', 'model', 'profile', 'status', 'tag'] as const;
export type CostGrouping = (typeof COST_GROUPINGS)[number];

/** Statuses, as the web app and octo write them: done, given up, or still costing money. */
const COMPLETED_STATUSES = ['completed', 'succeeded'];
const FAILED_STATUSES = ['failed', 'cancelled', 'canceled'];

export interface CostGroup {
  key: string;
  count: number;
  seconds: number;
  cost: number;
}

export interface CostTally {
  count: number;
  seconds: number;
  cost: number;
}

export interface CostSummary {
  groups: CostGroup[];
  completed: CostTally;
  failed: CostTally;
  in_flight: CostTally;
  /** Instants the range starts at (inclusive) and ends before, as the database computed them. */
  from: Date;
  to: Date;
}

// Whitelisted SQL per grouping: never user text. `b` is a row of `base`, `t` a tag of it.
const KEY_SQL: Record<CostGrouping, string> = {
  day: `date_trunc('day', b.local_at)`,
  week: `date_trunc('week', b.local_at)`,
  month: `date_trunc('month', b.local_at)`,
  model: `b.sora_model`,
  profile: `COALESCE(b.profile_name, '(none)')`,
  status: `b.status`,
  tag: `COALESCE(t.k || '=' || t.v, '(untagged)')`,
};

/**
 * Time buckets are grouped as timestamps and only the few groups are formatted: grouping a
 * million rows by text costs twice as much.
 */
const LABEL_SQL: Partial<Record<CostGrouping, (key: string) => string>> = {
  day: (key) => `to_char(${key}, 'YYYY-MM-DD')`,
  week: (key) => `to_char(${key}, 'YYYY-MM-DD')`,
  month: (key) => `to_char(${key}, 'YYYY-MM')`,
};

const list = (values: string[]) => values.map((v) => `'${v}'`).join(', ');

/** SQL for a generation's state from its `status` column: 'completed', 'failed' or 'in_flight' (NULL too). */
export function costStateSql(status: string): string {
  return `CASE WHEN ${status} IN (${list(COMPLETED_STATUSES)}) THEN 'completed'
         WHEN ${status} IN (${list(FAILED_STATUSES)}) THEN 'failed'
         ELSE 'in_flight' END`;
}

export function costSummarySql(by: CostGrouping): string {
  const tagJoin = by === 'tag' ? `LEFT JOIN LATERAL jsonb_each_text(CASE WHEN jsonb_typeof(b.tags) = 'object' THEN b.tags END) AS t(k, v) ON TRUE` : '';
  // --by status shows every status; the other groupings show completed spend only.
  const which = by === 'status' ? 'TRUE' : `b.state = 'completed'`;
  return `WITH bounds AS (
  SELECT ($2::date::timestamp AT TIME ZONE $1::text) AS from_at,
         (($3::date + 1)::timestamp AT TIME ZONE $1::text) AS to_at
),
base AS (
  SELECT COALESCE(g.status, 'queued') AS status,
    ${costStateSql('g.status')} AS state,
    g.estimated_cost AS cost,
    g.duration * COALESCE(g.variants, 1) AS seconds,
    g.sora_model, g.profile_name, g.tags,
    g.created_at AT TIME ZONE $1::text AS local_at
  FROM video_generations g
  WHERE g.user_id = (SELECT user_id FROM auth)
    -- The bounds written out, not read from the bounds CTE: so the planner sees the range,
    -- estimates the rows, and aggregates by hash instead of sorting a million rows on disk.
    AND g.created_at >= ($2::date::timestamp AT TIME ZONE $1::text)
    AND g.created_at < (($3::date + 1)::timestamp AT TIME ZONE $1::text)
),
${
  by === 'tag'
    ? `grouped AS (
  SELECT ${KEY_SQL[by]} AS key, count(*)::int AS count, COALESCE(sum(b.seconds), 0)::bigint AS seconds,
    COALESCE(sum(b.cost), 0) AS cost
  FROM base b ${tagJoin}
  WHERE ${which}
  GROUP BY 1
),
tallies AS (
  SELECT state, count(*)::int AS count, COALESCE(sum(seconds), 0)::bigint AS seconds, COALESCE(sum(cost), 0) AS cost
  FROM base GROUP BY state
)`
    : // One pass over the rows (base is read once, so it is not materialised): groups and
      // tallies both come from the small (state, key) aggregate. Twice as fast over 1M rows.
      `agg AS (
  SELECT b.state, ${KEY_SQL[by]} AS key, count(*)::int AS count, COALESCE(sum(b.seconds), 0)::bigint AS seconds,
    COALESCE(sum(b.cost), 0) AS cost
  FROM base b
  GROUP BY 1, 2
),
grouped AS (
  SELECT ${LABEL_SQL[by]?.('b.key') ?? 'b.key'} AS key, sum(count)::int AS count, sum(seconds)::bigint AS seconds, sum(cost) AS cost
  FROM agg b WHERE ${which} GROUP BY b.key
),
tallies AS (
  SELECT state, sum(count)::int AS count, sum(seconds)::bigint AS seconds, sum(cost) AS cost FROM agg GROUP BY state
)`
}
SELECT
  (SELECT COALESCE(jsonb_agg(grouped ORDER BY key), '[]'::jsonb) FROM grouped) AS groups,
  (SELECT COALESCE(jsonb_object_agg(state, jsonb_build_object('count', count, 'seconds', seconds, 'cost', cost)), '{}'::jsonb) FROM tallies) AS tallies,
  (SELECT from_at FROM bounds) AS from_at,
  (SELECT to_at FROM bounds) AS to_at`;
}

/** Spend between two calendar days (inclusive) of `timeZone`, grouped `by`. One round trip. */
export async function costSummary(
  db: Db,
  session: SessionRef,
  input: { by: CostGrouping; timeZone: string; since: string; until: string },
): Promise<CostSummary> {
  const rows = await db.forSession(session).query<{
    groups: CostGroup[];
    tallies: Record<string, CostTally>;
    from_at: Date;
    to_at: Date;
  }>(costSummarySql(input.by), [input.timeZone, input.since, input.until]);
  const row = onlyRow(rows, 'cost summary');
  const tally = (state: string): CostTally => {
    const t = row.tallies[state];
    return { count: Number(t?.count ?? 0), seconds: Number(t?.seconds ?? 0), cost: Number(t?.cost ?? 0) };
  };
  return {
    groups: row.groups.map((g) => ({ key: String(g.key), count: Number(g.count), seconds: Number(g.seconds), cost: Number(g.cost) })),
    completed: tally('completed'),
    failed: tally('failed'),
    in_flight: tally('in_flight'),
    from: row.from_at,
    to: row.to_at,
  };
}
