import { noneWithId } from '../db/tables/ids.js';
import type { Context } from '../context/context.js';
import { FailureError } from '../core/errors.js';
import { abandonJob, cancelUnsubmitted, cancelWithoutJob, finishGeneration } from '../db/tables/generation-state.js';
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
  /** What the cancel could not do at the service, for the user to know (null: nothing). */
  note: string | null;
}

/** Said when a create may have reached the service: what octo does about a job found there. */
export const MAY_EXIST_NOTE =
  'its create was sent and never answered, so the service may have made the job; if it did, octo records it (and its cost) ' +
  'as an extra job of this line when it finds it (octo jobs reconcile, jobs wait, --resume)';

/** `jobs cancel ID`. */
export async function cancelJob(ctx: Pick<Context, 'session' | 'db' | 'processEnv' | 'signal'>, id: string): Promise<Canceled> {
  const session = await ctx.session();
  const db = await ctx.db();
  const row = await generationWithProfile(db, session, id);
  if (!row) throw noneWithId('job', id);
  const canceled = (reason: string, o: { deletedAtService?: boolean; note?: string | null } = {}): Canceled => ({
    job: resultOf({ ...row, status: 'canceled', failure_reason: reason }),
    canceled: true,
    deletedAtService: o.deletedAtService ?? false,
    note: o.note ?? null,
  });
  if (TERMINAL.has(row.status)) return { job: resultOf(row), canceled: false, deletedAtService: false, note: null };
  // No job id: nothing octo could reach at the service, so no profile is needed.
  if (!row.job_id && !row.submitted_at) {
    // Compare-and-set: wins over a process about to submit it; loses to one that just did.
    const reason = 'canceled before submission';
    if (await cancelUnsubmitted(db, session, row.id, reason)) return canceled(reason);
    throw new FailureError(`job ${row.id} was being submitted by another octo process as you canceled it; it was not canceled`, {
      hint: `see: octo jobs list (then octo jobs cancel ${row.id} again, for a sora-1 job)`,
    });
  }
  if (!row.job_id) {
    const reason = 'canceled in octo; its create may have reached the service';
    if (await cancelWithoutJob(db, session, row.id, reason)) return canceled(reason, { note: MAY_EXIST_NOTE });
    throw new FailureError(`job ${row.id} got its job id from another octo process as you canceled it; it was not canceled`, {
      hint: `see: octo jobs show ${row.id.slice(0, 8)} (then octo jobs cancel ${row.id.slice(0, 8)} again, for a sora-1 job)`,
    });
  }
  const p = row.profile;
  if (!p) {
    const reason = `profile ${row.profile_name ?? '(none)'} no longer exists: canceled in octo only; job ${row.job_id} was not canceled at the service`;
    if (await abandonJob(db, session, row.id, row.job_id, 'canceled', reason)) {
      return canceled(reason, { note: `the remote job ${row.job_id} was not canceled (octo has no profile to reach it); it may run to its end and be billed` });
    }
    const now = await generationWithProfile(db, session, row.id);
    return { job: resultOf(now ?? row), canceled: false, deletedAtService: false, note: null };
  }
  if (p.sora_version === 'sora-2') {
    throw new FailureError(`sora-2 has no cancel API: job ${row.job_id} runs to its end at the service (and is billed)`, {
      hint: `octo leaves it recorded as it is; when it ends: octo jobs wait ${row.id}`,
    });
  }
  const client = soraClientFor(p, ctx.processEnv);
  await client.cancel(row.job_id, { signal: ctx.signal });
  await finishGeneration(db, session, row.id, 'canceled', 'canceled by the user');
  return canceled('canceled by the user', { deletedAtService: true });
}
