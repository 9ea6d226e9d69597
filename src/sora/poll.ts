import {
  SoraAbortedError,
  SoraJobFailedError,
  SoraModerationError,
  SoraNetworkError,
  SoraNotFoundError,
  SoraRateLimitError,
  SoraServerError,
  SoraTimeoutError,
  isTransient,
} from './errors.js';
import { quoted } from '../core/text.js';
import { isModerationCode } from './http.js';
import { DEFAULT_HTTP_LIMITS } from './limits.js';
import { isKnownStatus, isTerminal } from './normalize.js';
import { firstDelay, nextPoll, resolveSchedule, startPoll, type PollOutcome, type PollScheduleOptions } from './poll-schedule.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';
import type { Job } from './types.js';

export interface PollOptions {
  /** Called with every job read whose status or progress changed. */
  onUpdate?: (job: Job) => void;
  /** Called before each wait after a failed poll (for a spinner's "retrying…"). */
  onRetry?: (info: { error: unknown; delayMs: number }) => void;
  signal?: AbortSignal;
  /** Overall budget (default 20 min); SoraTimeoutError when it runs out. */
  timeoutMs?: number;
  /** Return failed/cancelled jobs instead of throwing (default false). */
  returnFailed?: boolean;
  schedule?: Partial<PollScheduleOptions>;
  sleep?: Sleep;
  now?: () => number;
  /** How long a status octo does not know may last (default: the client's limits, else 60 s). */
  unknownStatusMs?: number;
}

/**
 * Polls `id` until it succeeds, fails or is cancelled. Transient trouble (5xx, 429, network) is
 * retried per the schedule, honouring Retry-After; a 404 just after create is "not visible yet".
 * Throws SoraModerationError / SoraJobFailedError for failed jobs (unless returnFailed),
 * SoraTimeoutError when time runs out and SoraAbortedError when `signal` aborts; the remote job
 * keeps running in the last two cases.
 */
export async function pollUntilDone(
  client: { get(id: string, o?: { signal?: AbortSignal }): Promise<Job>; limits?: { unknownStatusMs: number } },
  id: string,
  opts: PollOptions = {},
): Promise<Job> {
  const schedule = resolveSchedule({ ...opts.schedule, ...(opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {}) });
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const unknownStatusMs = opts.unknownStatusMs ?? client.limits?.unknownStatusMs ?? DEFAULT_HTTP_LIMITS.unknownStatusMs;
  let state = startPoll(now());
  let last: Job | undefined;
  // Since when the job has reported a status octo does not know (read as running meanwhile).
  let unknownSince: number | null = null;

  const wait = async (ms: number) => {
    try {
      await sleep(ms, opts.signal);
    } catch (error) {
      if (opts.signal?.aborted) throw aborted(id, error);
      throw error;
    }
  };

  await wait(firstDelay(schedule));
  for (;;) {
    if (opts.signal?.aborted) throw aborted(id);
    let outcome: PollOutcome;
    let lastError: unknown;
    let job: Job | undefined;
    try {
      job = await client.get(id, { signal: opts.signal });
      if (!last || last.rawStatus !== job.rawStatus || last.progress !== job.progress) opts.onUpdate?.(job);
      last = job;
      unknownSince = isKnownStatus(job) ? null : (unknownSince ?? now());
      outcome = { kind: 'ok', terminal: isTerminal(job.status), progress: job.progress };
    } catch (error) {
      if (opts.signal?.aborted) throw aborted(id, error);
      lastError = error;
      if (error instanceof SoraNotFoundError) outcome = { kind: 'not_found' };
      else if (error instanceof SoraRateLimitError) outcome = { kind: 'rate_limited', retryAfterMs: error.retryAfterMs };
      else if (isTransient(error)) outcome = { kind: 'transient' };
      else throw error;
    }
    if (job && unknownSince !== null && now() - unknownSince >= unknownStatusMs) throw unknownStatus(job, now() - unknownSince);
    const step = nextPoll(state, outcome, now(), schedule);
    state = step.state;
    const d = step.decision;
    if (d.action === 'done') return finished(job!, opts.returnFailed ?? false);
    if (d.action === 'give_up') {
      if (d.reason === 'timeout') {
        throw new SoraTimeoutError(`job ${id} is still ${last?.rawStatus ?? 'not visible'} after ${Math.round(schedule.timeoutMs / 1000)} s`, {
          jobId: id,
          hint: `it keeps running remotely; run: octo jobs wait ${id}`,
        });
      }
      if (d.reason === 'not_found') {
        throw lastError instanceof SoraNotFoundError ? lastError : new SoraNotFoundError(`job ${id} not found`, { jobId: id });
      }
      if (lastError instanceof SoraServerError || lastError instanceof SoraNetworkError || lastError instanceof SoraRateLimitError) throw lastError;
      throw new SoraServerError(`polling job ${id} failed too many times in a row`, { jobId: id, cause: lastError });
    }
    if (lastError) opts.onRetry?.({ error: lastError, delayMs: d.delayMs });
    await wait(d.delayMs);
  }
}

/**
 * A status octo does not know, for longer than a new intermediate state would last: stop, naming
 * it (quoted: it is the server's text), and leave the line as it was recorded for a later look.
 */
function unknownStatus(job: Job, forMs: number): SoraServerError {
  return new SoraServerError(
    `job ${job.id} has reported a status octo does not know, ${quoted(job.rawStatus)}, for ${Math.round(forMs / 1000)} s; stopped waiting for it`,
    { jobId: job.id, apiCode: 'unknown_status', hint: `it may still finish at the service; look again later with: octo jobs wait ${job.id}` },
  );
}

function aborted(id: string, cause?: unknown): SoraAbortedError {
  return new SoraAbortedError(`stopped waiting for job ${id}`, { jobId: id, cause, hint: `it keeps running remotely; run: octo jobs wait ${id}` });
}

/** The typed error for a failed or cancelled job, or the job itself when it succeeded. */
export function finished(job: Job, returnFailed = false): Job {
  if (job.status === 'succeeded' || returnFailed) return job;
  if (job.status === 'cancelled') {
    throw new SoraJobFailedError(`job ${job.id} was cancelled`, { jobId: job.id, apiCode: 'cancelled' });
  }
  const reason = job.failureReason ?? job.failureCode ?? 'no reason given';
  if (isModerationCode(job.failureCode)) {
    throw new SoraModerationError(`job ${job.id} failed moderation (${job.failureCode}): ${reason}`, { jobId: job.id, apiCode: job.failureCode ?? undefined });
  }
  throw new SoraJobFailedError(`job ${job.id} failed: ${reason}`, { jobId: job.id, apiCode: job.failureCode ?? undefined });
}
