import { noneWithId } from '../db/tables/ids.js';
import type { Context } from '../context/context.js';
import { FailureError } from '../core/errors.js';
import { cancelUnsubmitted, finishGeneration } from '../db/tables/generation-state.js';
import { generationWithProfile } from '../db/tables/generations.js';
import { TERMINAL, resultOf, type LineResult } from '../generate/results.js';
import { soraClientFor } from '../sora/index.js';

/** What `jobs cancel` did: the job as it now stands, and whether this call changed it. */
export interface Canceled {
  job: LineResult;
  /** false: it had already ended (completed, failed, canceled); nothing was changed. */
  canceled: boolean;
  /** The job was deleted at the service (sora-1; a line never submitted has nothing there). */
  deletedAtService: boolean;
}

/** `jobs cancel ID`. */
export async function cancelJob(ctx: Pick<Context, 'session' | 'db' | 'processEnv' | 'signal'>, id: string): Promise<Canceled> {
  const session = await ctx.session();
  const db = await ctx.db();
  const row = await generationWithProfile(db, session, id);
  if (!row) throw noneWithId('job', id);
  const canceled = (deletedAtService: boolean): Canceled => ({ job: resultOf({ ...row, status: 'canceled' }), canceled: true, deletedAtService });
  if (TERMINAL.has(row.status)) return { job: resultOf(row), canceled: false, deletedAtService: false };
  if (!row.job_id && !row.submitted_at) {
    // Compare-and-set: wins over a process about to submit it; loses to one that just did.
    if (await cancelUnsubmitted(db, session, row.id, 'canceled before submission')) return canceled(false);
    throw new FailureError(`job ${row.id} was being submitted by another octo process as you canceled it; it was not canceled`, {
      hint: `see: octo jobs list (then octo jobs cancel ${row.id} again, for a sora-1 job)`,
    });
  }
  const p = row.profile;
  if (!p) throw new FailureError(`profile ${row.profile_name ?? '(none)'} no longer exists; cannot reach job ${row.job_id ?? row.id}`);
  if (p.sora_version === 'sora-2') {
    throw new FailureError(`sora-2 has no cancel API: job ${row.job_id ?? row.id} runs to its end at the service (and is billed)`, {
      hint: `octo leaves it recorded as it is; when it ends: octo jobs wait ${row.id}`,
    });
  }
  if (!row.job_id) {
    throw new FailureError(`job ${row.id} was submitted but its job id was never recorded`, { hint: `run: octo jobs wait ${row.id} (it finds the job first)` });
  }
  const client = soraClientFor(p, ctx.processEnv);
  await client.cancel(row.job_id, { signal: ctx.signal });
  await finishGeneration(db, session, row.id, 'canceled', 'canceled by the user');
  return canceled(true);
}
