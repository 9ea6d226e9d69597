import type { Context } from '../context/context.js';
import { listJobs, type JobListRow } from '../db/tables/generations.js';

export type { JobListRow } from '../db/tables/generations.js';

/** `jobs list` (and completion): newest first; `total` counts every match (capped), for "showing 20 of 312". */
export async function jobList(
  ctx: Pick<Context, 'db' | 'session'>,
  filter: { status?: string; limit: number },
): Promise<{ jobs: JobListRow[]; total: number }> {
  const session = await ctx.session();
  const db = await ctx.db();
  return listJobs(db, session, filter);
}
