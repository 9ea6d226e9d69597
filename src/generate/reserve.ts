import type { Session } from '../auth/session.js';
import { BudgetError } from '../core/errors.js';
import { formatUsd } from '../core/money.js';
import { reserveGenerationRows, type BudgetOverrun, type NewGeneration, type ReservedGeneration } from '../db/tables/generations.js';
import type { Db } from '../db/connection/types.js';

/**
 * Records generations as queued and reserves them against the user's monthly budgets, all or
 * nothing (src/db/tables/generations.ts); over a budget, BudgetError (exit 5) says the numbers.
 */
export async function reserveGenerations(
  db: Db,
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'userId' | 'token'>,
  rows: NewGeneration[],
  timeZone: string,
): Promise<ReservedGeneration[]> {
  const { inserted, blocked } = await reserveGenerationRows(db, session, rows, timeZone);
  const [overrun] = blocked;
  if (overrun) throw budgetError(overrun);
  return inserted;
}

/** The error for the first budget a reservation would exceed (`before`: what the hint says first, e.g. for a dry run). */
export function budgetError(b: BudgetOverrun, before = ''): BudgetError {
  const scope = b.profile_name ? `the monthly budget of profile ${b.profile_name}` : 'your monthly budget';
  return new BudgetError(
    `${scope} would be exceeded: ${formatUsd(b.committed)} spent or in flight this month + ${formatUsd(b.requested)} estimated = ${formatUsd(
      Number(b.committed) + Number(b.requested),
    )} > ${formatUsd(b.monthly_usd)}`,
    { hint: `${before}see: octo costs budget show (raise it with: octo costs budget set --monthly USD)` },
  );
}
