import { NotFoundError } from '../core/errors.js';
import type { Db, SessionRef } from '../db/connection/types.js';
import { budgetStatus, clearBudget, setBudget, type Budget, type BudgetStatus } from '../db/tables/budgets.js';
import { validateTimeZone } from './period.js';

export type { Budget, BudgetStatus } from '../db/tables/budgets.js';

/**
 * Monthly budgets, as `costs budget set|clear|show` and the MCP tool `budget` use them: one for
 * all of the user's spend (profile null), or one per profile of theirs.
 */

/** Sets (or replaces) the budget; NotFoundError when the profile is not the user's. */
export async function setMonthlyBudget(db: Db, session: SessionRef, o: { profile: string | null; monthlyUsd: number }): Promise<Budget> {
  return setBudget(db, session, o);
}

/** Removes the budget; NotFoundError when none was set. */
export async function clearMonthlyBudget(db: Db, session: SessionRef, profile: string | null): Promise<{ cleared: true; profile_name: string | null }> {
  if (!(await clearBudget(db, session, profile))) {
    throw new NotFoundError(`no monthly budget is set for ${profile ? `profile ${profile}` : 'all your spend'}`, { hint: 'see: octo costs budget show' });
  }
  return { cleared: true, profile_name: profile };
}

/** Every budget with month-to-date spend; the month follows `timeZone` (validated here). */
export async function monthlyBudgets(db: Db, session: SessionRef, timeZone: string): Promise<(BudgetStatus & { time_zone: string })[]> {
  const zone = validateTimeZone(timeZone);
  return (await budgetStatus(db, session, zone)).map((b) => ({ ...b, time_zone: zone }));
}
