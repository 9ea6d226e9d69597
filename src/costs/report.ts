import type { Session } from '../auth/session.js';
import { roundUsd } from '../core/money.js';
import { costSummary, type CostGroup, type CostGrouping } from '../db/tables/costs.js';
import type { Db } from '../db/connection/types.js';
import { isoInZone, resolveRange, validateTimeZone } from './period.js';

/**
 * `octo costs --json`: currency, since, until, total_cost, count, seconds, groups and failed are
 * the contract (renaming one breaks scripts); the other keys were added after and may grow.
 */
export interface CostReport {
  currency: 'USD';
  /** First day, inclusive (YYYY-MM-DD in time_zone). */
  since: string;
  /** Last day, inclusive. */
  until: string;
  time_zone: string;
  /** The instants the range covers: [from, to), ISO 8601 with the zone's offset. */
  from: string;
  to: string;
  by: CostGrouping;
  /** Completed generations only (estimates: none of these is a bill). */
  total_cost: number;
  count: number;
  seconds: number;
  groups: CostGroup[];
  failed: { count: number; estimated_cost: number };
  in_flight: { count: number; estimated_cost: number };
}

export { COST_GROUPINGS, type CostGroup, type CostGrouping } from '../db/tables/costs.js';

/**
 * What the groups of a report add up to. Groups show completed generations, and their total is the
 * report's; with `by: 'status'` every status is a group, so the total is every status's.
 */
export interface CostTotals {
  /** Every status is counted (`by: 'status'`); otherwise completed generations only. */
  allStatuses: boolean;
  count: number;
  seconds: number;
  cost: number;
}

export function reportTotals(report: Pick<CostReport, 'by' | 'groups' | 'count' | 'seconds' | 'total_cost'>): CostTotals {
  if (report.by !== 'status') return { allStatuses: false, count: report.count, seconds: report.seconds, cost: report.total_cost };
  const sum = (pick: (g: CostGroup) => number) => report.groups.reduce((n, g) => n + pick(g), 0);
  // Money has 4 decimals in the database: keep float noise out of CSV.
  return { allStatuses: true, count: sum((g) => g.count), seconds: sum((g) => g.seconds), cost: roundUsd(sum((g) => g.cost)) };
}

export interface CostReportOptions {
  by: CostGrouping;
  since?: string;
  until?: string;
  /** IANA zone the days are counted in (validated here). */
  timeZone: string;
  /** "Today", for ranges like 30d and the default month. */
  now: Date;
}

/** Reads and sums in the database (one round trip); builds the report. */
export async function costReport(db: Db, session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>, options: CostReportOptions): Promise<CostReport> {
  const timeZone = validateTimeZone(options.timeZone);
  const range = resolveRange({ since: options.since, until: options.until, timeZone, now: options.now });
  const summary = await costSummary(db, session, { by: options.by, timeZone, since: range.since, until: range.until });
  return {
    currency: 'USD',
    since: range.since,
    until: range.until,
    time_zone: timeZone,
    from: isoInZone(summary.from, timeZone),
    to: isoInZone(summary.to, timeZone),
    by: options.by,
    total_cost: summary.completed.cost,
    count: summary.completed.count,
    seconds: summary.completed.seconds,
    groups: summary.groups,
    failed: { count: summary.failed.count, estimated_cost: summary.failed.cost },
    in_flight: { count: summary.in_flight.count, estimated_cost: summary.in_flight.cost },
  };
}
