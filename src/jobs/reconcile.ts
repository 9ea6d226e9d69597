import type { Context } from '../context/context.js';
import { resolveInstants, systemTimeZone } from '../costs/period.js';
import { recordFoundJob } from '../db/tables/generation-state.js';
import { loadUserProfiles, type GenerationRow } from '../db/tables/generations.js';
import { recordExtraJob, recordedJobIds, submittedLines } from '../db/tables/extra-jobs.js';
import { MATCH_SLACK_MS, matchOrphan } from '../generate/match.js';
import { listSince } from '../generate/phases/recover.js';
import type { StoredRequest } from '../generate/plan.js';
import { soraClientFor, type Job } from '../sora/index.js';

/** The time range of `jobs reconcile`: the one --since/--until grammar (default: the last 24 hours). */
export interface ReconcileRequest {
  since?: string;
  until?: string;
  timeZone?: string;
}

/** One job the service has that no row of octo had. */
export interface ReconciledJob {
  job_id: string;
  profile: string;
  status: string;
  prompt: string | null;
  created_at: string | null;
  /**
   * found: the job of a line whose create was never answered (now recorded on it);
   * extra: an extra, paid job of a line, recorded as a row of its own (costed, followed by jobs wait);
   * unmatched: no line of octo asked for it (made by another tool); not recorded.
   */
  recorded_as: 'found' | 'extra' | 'unmatched';
  /** The line it belongs to (null: unmatched). */
  line_id: string | null;
  /** The row that now has it: the line itself (found) or the extra row (extra). */
  generation_id: string | null;
}

export interface Reconciled {
  results: ReconciledJob[];
  /** Jobs the service listed in the range, on every profile. */
  listed: number;
  from: Date;
  to: Date;
}

const DAY_MS = 86_400_000;

/**
 * `jobs reconcile`: every job the service lists on each of the user's profiles in the range,
 * compared with what octo recorded. One no row has is recorded as what it is: the job of a line
 * whose create was never answered (that line still open, no job id), else an extra, paid job of
 * the line that asked for it (same prompt, size and seconds, recorded before it was made). Every
 * write is conditional (the job recorded once, whichever process finds it first), so a reconcile
 * may run while other processes resume, wait for or cancel the same lines.
 */
export async function reconcileJobs(ctx: Pick<Context, 'db' | 'session' | 'processEnv' | 'signal' | 'now'>, request: ReconcileRequest): Promise<Reconciled> {
  const now = ctx.now();
  const range = resolveInstants({ since: request.since, until: request.until, timeZone: request.timeZone ?? systemTimeZone(ctx.processEnv), now });
  const from = range.from ?? new Date(now.getTime() - DAY_MS);
  const to = range.to ?? now;
  const session = await ctx.session();
  const db = await ctx.db();
  const results: ReconciledJob[] = [];
  let listed = 0;
  for (const profile of await loadUserProfiles(db, session)) {
    const client = soraClientFor(profile, ctx.processEnv);
    const jobs = (await listSince(client, from.getTime(), ctx.signal)).filter((j) => inRange(j, from, to));
    listed += jobs.length;
    const recorded = await recordedJobIds(
      db,
      session,
      jobs.map((j) => j.id),
    );
    const unknown = jobs.filter((j) => !recorded.has(j.id)).sort((a, b) => Date.parse(a.createdAt ?? '') - Date.parse(b.createdAt ?? ''));
    if (unknown.length === 0) continue;
    const lines = await submittedLines(db, session, profile.name, from, to, MATCH_SLACK_MS);
    const taken = new Set<string>();
    for (const job of unknown) {
      const base = { job_id: job.id, profile: profile.name, status: job.status, prompt: job.prompt, created_at: job.createdAt };
      const candidates = lines.filter((l) => l.request && matchOrphan(l.request as unknown as StoredRequest, new Date(l.created_at), [job], new Set()));
      const open = candidates.find((l) => !l.job_id && !taken.has(l.id) && (l.status === 'queued' || l.status === 'running'));
      const status = job.status === 'queued' ? 'queued' : 'running';
      if (open && (await recordFoundJob(db, session, open.id, job.id, status))) {
        taken.add(open.id);
        results.push({ ...base, recorded_as: 'found', line_id: open.id, generation_id: open.id });
        continue;
      }
      const line = nearest(candidates, job);
      if (!line) {
        results.push({ ...base, recorded_as: 'unmatched', line_id: null, generation_id: null });
        continue;
      }
      const extra = await recordExtraJob(db, session, line.id, job);
      // null: another process recorded it meanwhile (it is octo's now either way).
      if (extra) results.push({ ...base, recorded_as: 'extra', line_id: line.id, generation_id: extra });
    }
  }
  return { results, listed, from, to };
}

function inRange(job: Job, from: Date, to: Date): boolean {
  const at = job.createdAt ? Date.parse(job.createdAt) : Number.NaN;
  return Number.isFinite(at) && at >= from.getTime() - MATCH_SLACK_MS && at < to.getTime();
}

/** The line recorded last before the job was made: the one whose create most likely made it. */
function nearest(lines: GenerationRow[], job: Job): GenerationRow | undefined {
  const at = Date.parse(job.createdAt ?? '');
  return lines
    .filter((l) => new Date(l.created_at).getTime() <= at + MATCH_SLACK_MS)
    .sort((a, b) => new Date(b.created_at).getTime() - new Date(a.created_at).getTime())[0];
}
