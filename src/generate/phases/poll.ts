import { finishGeneration, updateGenerationStatus } from '../../db/tables/generation-state.js';
import type { GenerationRow } from '../../db/tables/generations.js';
import { SoraNotFoundError, SoraTimeoutError, pollUntilDone, type Job, type SoraClient } from '../../sora/index.js';
import type { Runner } from '../runner.js';
import { elapsed, resultOf, short, type LineResult } from '../results.js';

/** A job this long after its submission that answers 404 is gone (expired or deleted). */
const GONE_AFTER_MS = 10 * 60_000;

/**
 * Phase 3, poll: follows job `jobId` to its end, recording queued → running as it goes. Returns
 * the succeeded job (for the download phase), or the line's result when it ends here: failed or
 * canceled at the service, gone, or still running when --timeout passed.
 */
export async function pollRow(
  runner: Pick<Runner, 'db' | 'session' | 'signal' | 'view' | 'label' | 'now' | 'timeoutMs' | 'schedule' | 'onDebug'>,
  row: GenerationRow,
  jobId: string,
  status: string,
  client: SoraClient,
): Promise<{ job: Job } | { result: LineResult }> {
  const label = runner.label(row);
  let recorded = status;
  let writes: Promise<unknown> = Promise.resolve();
  // Declared before the ticker that reads it (defect 11 of issue 14).
  let lastSeen: Job | null = null;
  const t0 = runner.now();
  const show = (j: Job | null) => {
    const pct = j?.progress !== null && j?.progress !== undefined ? ` ${j.progress}%` : '';
    if (j) runner.view.state?.(row.id, { status: j.status, percent: j.progress ?? null, settled: false });
    runner.view.update(row.id, `${label}  ${j?.rawStatus ?? recorded}${pct}  ${elapsed(t0, runner.now())}  ${short(row.prompt)}`);
  };
  show(null);
  const ticker = setInterval(() => show(lastSeen), 1000);
  ticker.unref();
  let job: Job;
  try {
    const submittedAt = row.submitted_at ? new Date(row.submitted_at).getTime() : null;
    job = await pollUntilDone(client, jobId, {
      signal: runner.signal,
      timeoutMs: runner.timeoutMs,
      schedule: submittedAt !== null && runner.now() - submittedAt > GONE_AFTER_MS ? { ...runner.schedule, early404GraceMs: 0 } : runner.schedule,
      returnFailed: true,
      onUpdate: (j) => {
        lastSeen = j;
        show(j);
        const s = j.status === 'queued' ? 'queued' : j.status === 'running' ? 'running' : null;
        if (s && s !== recorded) {
          recorded = s;
          runner.view.event(`${label}: ${j.rawStatus}`);
          writes = writes
            .then(() => updateGenerationStatus(runner.db, runner.session, row.id, jobId, s, j.progress))
            .catch((e) => runner.onDebug?.(`status write failed: ${e}`));
        }
      },
    });
  } catch (error) {
    await writes;
    if (error instanceof SoraTimeoutError) return { result: resultOf(row, { job_id: jobId, status: recorded, failure_reason: null }) };
    if (error instanceof SoraNotFoundError) {
      const reason = `job ${jobId} is no longer at the service (expired or deleted)`;
      await finishGeneration(runner.db, runner.session, row.id, 'failed', reason);
      runner.view.event(`${label}: failed (${reason})`);
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
  await finishGeneration(runner.db, runner.session, row.id, st, reason);
  runner.view.event(`${label}: ${st} (${reason})`);
  return { result: resultOf(row, { job_id: jobId, status: st, failure_reason: reason }) };
}
