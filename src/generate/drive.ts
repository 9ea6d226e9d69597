import { OctoError } from '../core/errors.js';
import { abandonJob, finishGeneration, recordFoundJob, recordJobId } from '../db/tables/generation-state.js';
import type { ClaimedRow } from '../db/tables/generation-state.js';
import { recordExtraJob } from '../db/tables/extra-jobs.js';
import type { Job } from '../sora/index.js';
import { downloadRow } from './phases/download.js';
import { pollRow } from './phases/poll.js';
import { recoverOrphan } from './phases/recover.js';
import { submitRow } from './phases/submit.js';
import type { StoredRequest } from './plan.js';
import { resultOf, type LineResult } from './results.js';
import type { Runner } from './runner.js';

/**
 * One claimed row, from whatever state a previous run left it in, through the phases:
 *
 *   submitted, no job id  → recover: looked up in the service's list; resubmitted only if absent
 *                           once the create deadline (the client's cap on a create + margin) passed
 *   never submitted       → submit
 *   job id recorded       → poll to the end
 *   succeeded             → download, then recorded completed with its videos
 *
 * `null` means the row is no longer this process's to drive (canceled, or taken over): the
 * caller reads its state from the database.
 */
export async function driveRow(runner: Runner, row: ClaimedRow): Promise<LineResult | null> {
  const label = runner.label(row);
  const req = row.request as unknown as StoredRequest | null;
  const profile = row.profile_name ? runner.profiles.get(row.profile_name) : undefined;
  if (!profile) {
    const reason = `profile ${row.profile_name ?? '(none)'} no longer exists`;
    if (!row.job_id && !row.submitted_at) {
      await finishGeneration(runner.db, runner.session, row.id, 'failed', reason);
      return resultOf(row, { status: 'failed', failure_reason: reason });
    }
    // Submitted: octo can no longer reach the job, so it stops counting as in flight; the reason
    // says the remote job was not canceled (nothing can be, without the profile).
    const abandoned = `${reason}; ${row.job_id ? `job ${row.job_id}` : 'the job its create may have made'} cannot be followed and was not canceled at the service`;
    if (!(await abandonJob(runner.db, runner.session, row.id, row.job_id, 'failed', abandoned))) return null;
    runner.view.event(`${label}: failed (${abandoned})`);
    return resultOf(row, { status: 'failed', failure_reason: abandoned });
  }
  const client = runner.clientFor(profile);
  const slot = await runner.limiter.slot(profile.name, runner.signal);
  try {
    let jobId = row.job_id;
    let status = row.status;
    if (!jobId && row.submitted_at && req) {
      const found = await recoverOrphan(runner, row, req, client);
      if (found) {
        // Not recorded on the line: it was finished (or canceled) meanwhile, or another line took
        // that job (the next look at this line finds its own); a job no row has is kept as an extra.
        if (!(await recordFoundJob(runner.db, runner.session, row.id, found.id, found.status === 'queued' ? 'queued' : 'running'))) {
          await keepExtra(runner, row, found);
          return null;
        }
        jobId = found.id;
        status = found.status === 'queued' ? 'queued' : 'running';
        runner.view.event(`${label}: found job ${jobId} submitted before the interruption`);
      }
    }
    if (!jobId) {
      if (!req) throw new OctoError('failure', `generation ${row.id} has no stored request to submit`);
      const created = await submitRow(runner, row, req, profile, client);
      if ('refused' in created) {
        return resultOf(row, { status: 'failed', failure_reason: created.refused, ...(created.unbilled ? { estimated_cost: 0 } : {}) });
      }
      if ('skipped' in created) return null;
      jobId = created.job.id;
      status = created.job.status === 'queued' ? 'queued' : 'running';
      if (!(await recordJobId(runner.db, runner.session, row.id, jobId, status))) {
        await keepExtra(runner, row, created.job);
        return null;
      }
      runner.view.event(`${label}: submitted ${jobId}`);
    }
    if (!runner.wait) return resultOf(row, { job_id: jobId, status });
    const polled = await pollRow(runner, { ...row, job_id: jobId }, jobId, status, client);
    if ('result' in polled) return polled.result;
    slot.release();
    return await downloadRow(runner, row, polled.job, profile, client);
  } finally {
    slot.release();
  }
}

/**
 * A job made for a line that cannot take it (canceled or finished meanwhile, or given another
 * job): it was paid for, so it is recorded as an extra job of the line (costed, and followed by
 * `jobs wait`), unless some row has it already.
 */
async function keepExtra(runner: Pick<Runner, 'db' | 'session' | 'view' | 'label'>, row: ClaimedRow, job: Job): Promise<void> {
  const extra = await recordExtraJob(runner.db, runner.session, row.id, job);
  if (extra) {
    runner.view.event(
      `${runner.label(row)}: job ${job.id} was made but the line had ended or had another job; recorded as an extra, paid job of the line (${extra.slice(0, 8)}; octo jobs wait ${extra.slice(0, 8)})`,
    );
  }
}
