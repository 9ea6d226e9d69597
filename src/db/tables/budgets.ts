import { NotFoundError } from '../../core/errors.js';
import { roundUsd } from '../../core/money.js';
import { costStateSql } from './costs.js';
import type { Db, SessionRef } from '../connection/types.js';

/**
 * Monthly budgets (`octo_budgets`): one for all of a user's spend (profile_name NULL) and any
 * per profile. The check against them is `reserveGenerationRows` (src/db/tables/generations.ts), which
 * counts what `budgetStatus` shows: month-to-date completed + in-flight estimates.
 */

export interface Budget {
  profile_name: string | null;
  monthly_usd: number;
  updated_at: Date;
}

export interface BudgetStatus extends Budget {
  /** Month-to-date estimated cost of completed generations. */
  completed: number;
  /** Estimates of generations recorded this month and not yet finished. */
  in_flight: number;
  /** monthly_usd - completed - in_flight (negative when over). */
  remaining: number;
}

/**
 * Sets (or replaces) the budget for all spend, or for one profile of the user's. A profile
 * that the user does not have is NotFoundError.
 */
export async function setBudget(db: Db, session: SessionRef, input: { profile: string | null; monthlyUsd: number }): Promise<Budget> {
  const [row] = await db.forSession(session).query<{ profile_name: string | null; monthly_usd: number; updated_at: Date }>(
    `INSERT INTO octo_budgets (user_id, profile_name, monthly_usd)
SELECT a.user_id, $1::varchar, $2::numeric FROM auth a
WHERE $1::varchar IS NULL OR EXISTS (SELECT 1 FROM profiles_config p WHERE p.user_id = a.user_id AND p.name = $1::varchar)
ON CONFLICT (user_id, (COALESCE(profile_name, ''))) DO UPDATE SET monthly_usd = EXCLUDED.monthly_usd, updated_at = NOW()
RETURNING profile_name, monthly_usd, updated_at`,
    [input.profile, input.monthlyUsd],
  );
  if (!row) throw new NotFoundError(`you have no profile named ${input.profile}`, { hint: 'see: octo profile list' });
  return { profile_name: row.profile_name, monthly_usd: Number(row.monthly_usd), updated_at: row.updated_at };
}

/** Removes the budget for all spend (profile null) or one profile's; false when none was set. */
export async function clearBudget(db: Db, session: SessionRef, profile: string | null): Promise<boolean> {
  const rows = await db.forSession(session).query(
    `DELETE FROM octo_budgets WHERE user_id = (SELECT user_id FROM auth)
  AND COALESCE(profile_name, '') = COALESCE($1::varchar, '') RETURNING id`,
    [profile],
  );
  return rows.length > 0;
}

/** Every budget of the user with month-to-date spend; the month follows `timeZone`. */
export async function budgetStatus(db: Db, session: SessionRef, timeZone: string): Promise<BudgetStatus[]> {
  const rows = await db.forSession(session).query<Record<string, unknown>>(
    `SELECT b.profile_name, b.monthly_usd, b.updated_at,
  COALESCE(sum(g.estimated_cost) FILTER (WHERE ${costStateSql('g.status')} = 'completed'), 0) AS completed,
  COALESCE(sum(g.estimated_cost) FILTER (WHERE ${costStateSql('g.status')} = 'in_flight'), 0) AS in_flight
FROM octo_budgets b
LEFT JOIN video_generations g ON g.user_id = b.user_id
  AND g.created_at >= (date_trunc('month', NOW() AT TIME ZONE $1::text) AT TIME ZONE $1::text)
  AND (b.profile_name IS NULL OR g.profile_name = b.profile_name)
WHERE b.user_id = (SELECT user_id FROM auth)
GROUP BY b.id, b.profile_name, b.monthly_usd, b.updated_at
ORDER BY b.profile_name NULLS FIRST`,
    [timeZone],
  );
  return rows.map((row) => {
    const monthly = Number(row.monthly_usd);
    const completed = Number(row.completed);
    const inFlight = Number(row.in_flight);
    return {
      profile_name: (row.profile_name as string | null) ?? null,
      monthly_usd: monthly,
      updated_at: row.updated_at as Date,
      completed,
      in_flight: inFlight,
      // Rounded to the 4 decimals money has in the database, so 5 - 4.9 is 0.1, not 0.0999…
      remaining: roundUsd(monthly - completed - inFlight),
    };
  });
}
