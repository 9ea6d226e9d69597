import { finishGeneration, updateGenerationStatus } from '../../db/tables/generation-state.js';
import type { GenerationRow } from '../../db/tables/generations.js';
import { SoraNotFoundError, SoraTimeoutError, pollUntilDone, type Job, type SoraClient } from '../../sora/index.js';
import type { RunContext } from '../context.js';
import { elapsed, resultOf, short, type LineResult } from '../results.js';

/** A job this long after its submission that answers 404 is gone (expired or deleted). */
const GONE_AFTER_MS = 10 * 60_000;

/**
 * Phase 3, poll: follows job `jobId` to its end, recording queued → running as it goes. Returns
 * the succeeded job (for the download phase), or the line's result when it ends here: failed or
 * canceled at the service, gone, or still running when --timeout passed.
 */
export async function pollRow(
  ctx: RunContext,
  row: GenerationRow,
  jobId: string,
  status: string,
  client: SoraClient,
): Promise<{ job: Job } | { result: LineResult }> {
  const label = ctx.label(row);
  let recorded = status;
  let writes: Promise<unknown> = Promise.resolve();
  // Declared before the ticker that reads it (defect 11 of issue 14).
  let lastSeen: Job | null = null;
  const t0 = ctx.now();
  const show = (j: Job | null) => {
    const pct = j?.progress !== null && j?.progress !== undefined ? ` ${j.progress}%` : '';
    ctx.view.update(row.id, `${label}  ${j?.rawStatus ?? recorded}${pct}  ${elapsed(t0, ctx.now())}  ${short(row.prompt)}`);
  };
  show(null);
  const ticker = setInterval(() => show(lastSeen), 1000);
  ticker.unref();
  let job: Job;
  try {
    const submittedAt = row.submitted_at ? new Date(row.submitted_at).getTime() : null;
    job = await pollUntilDone(client, jobId, {
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      schedule: submittedAt !== null && ctx.now() - submittedAt > GONE_AFTER_MS ? { ...ctx.schedule, early404GraceMs: 0 } : ctx.schedule,
      returnFailed: true,
      onUpdate: (j) => {
        lastSeen = j;
        show(j);
        const s = j.status === 'queued' ? 'queued' : j.status === 'running' ? 'running' : null;
        if (s && s !== recorded) {
          recorded = s;
          ctx.view.event(`${label}: ${j.rawStatus}`);
          writes = writes
            .then(() => updateGenerationStatus(ctx.db, ctx.session, row.id, jobId, s, j.progress))
            .catch((e) => ctx.onDebug?.(`status write failed: ${e}`));
        }
      },
    });
  } catch (error) {
    await writes;
    if (error instanceof SoraTimeoutError) return { result: resultOf(row, { job_id: jobId, status: recorded, failure_reason: null }) };
    if (error instanceof SoraNotFoundError) {
      const reason = `job ${jobId} is no longer at the service (expired or deleted)`;
      await finishGeneration(ctx.db, ctx.session, row.id, 'failed', reason);
      ctx.view.event(`${label}: failed (${reason})`);
      return { result: resultOf(row, { job_id: jobId, status: 'failed', failure_reason: reason }) };
    }
    throw error;
  } finally {
    clearInterval(ticker);
  }
  await writes;
  if (job.status === 'succeeded') return { job };
  const reason = job.status === 'cancelled' ? 'cancelled at the service' : [job.failureCode, job.failureReason].filter(Boolean).join(': ') || 'failed';
  const st = job.status === 'cancelled' ? 'canceled' : 'failed';
  await finishGeneration(ctx.db, ctx.session, row.id, st, reason);
  ctx.view.event(`${label}: ${st} (${reason})`);
  return { result: resultOf(row, { job_id: jobId, status: st, failure_reason: reason }) };
}
