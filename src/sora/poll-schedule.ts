/**
 * When to poll next, as a pure function of what the last poll saw. No clock, no timers, no I/O:
 * `pollUntilDone` feeds it outcomes and the current time; tests feed it numbers.
 */

export interface PollScheduleOptions {
  /** Wait before the first poll (default 2000 ms). */
  initialDelayMs: number;
  /** Delay after the first successful poll (default 2000 ms); grows by `factor` per poll. */
  baseDelayMs: number;
  factor: number;
  /** Cap on any computed delay (default 15 s). A server's Retry-After may exceed it. */
  maxDelayMs: number;
  /** ± fraction of jitter applied to computed delays (default 0.2); 0 disables it. */
  jitter: number;
  /** Overall budget from the start of polling (default 20 min). */
  timeoutMs: number;
  /** How long a 404 is read as "not visible yet" while no poll has succeeded (default 30 s). */
  early404GraceMs: number;
  /** Give up after this many transient failures in a row (default 10). */
  maxConsecutiveErrors: number;
  /** First delay after a transient failure (default 1000 ms), doubling, capped by maxDelayMs. */
  errorBaseDelayMs: number;
  /**
   * Shortest wait when a job's progress says it is about to finish (default 100 ms); never less
   * than 5% of the job's age either, so a job that sits at 99% for a minute is not hammered.
   */
  minDelayMs: number;
  /** Source of randomness in [0, 1) for jitter. */
  random: () => number;
}

export const DEFAULT_POLL_SCHEDULE: PollScheduleOptions = {
  initialDelayMs: 2000,
  baseDelayMs: 2000,
  factor: 1.5,
  maxDelayMs: 15_000,
  jitter: 0.2,
  timeoutMs: 20 * 60_000,
  early404GraceMs: 30_000,
  maxConsecutiveErrors: 10,
  errorBaseDelayMs: 1000,
  minDelayMs: 100,
  random: Math.random,
};

export type PollOutcome =
  /**
   * The job was read; `terminal` when it has finished one way or another. `progress` (0–100,
   * sora-2 reports it) lets the next poll land when the job should be done.
   */
  | { kind: 'ok'; terminal: boolean; progress?: number | null }
  | { kind: 'not_found' }
  /** 429: `retryAfterMs` as the server asked, or null. */
  | { kind: 'rate_limited'; retryAfterMs: number | null }
  /** 5xx or a network failure; `retryAfterMs` if the server sent one. */
  | { kind: 'transient'; retryAfterMs?: number | null };

export interface PollState {
  startedAt: number;
  /** Successful polls so far. */
  polls: number;
  consecutiveErrors: number;
  seenJob: boolean;
}

export type PollDecision =
  | { action: 'done' }
  | { action: 'wait'; delayMs: number }
  | { action: 'give_up'; reason: 'timeout' | 'not_found' | 'too_many_errors' };

export function startPoll(now: number): PollState {
  return { startedAt: now, polls: 0, consecutiveErrors: 0, seenJob: false };
}

export function resolveSchedule(partial: Partial<PollScheduleOptions> = {}): PollScheduleOptions {
  return { ...DEFAULT_POLL_SCHEDULE, ...partial };
}

export function withJitter(delayMs: number, jitter: number, random: () => number): number {
  if (jitter <= 0) return delayMs;
  return delayMs * (1 + jitter * (2 * random() - 1));
}

/**
 * Delay before the very first poll (a job is never done the instant it is created). Jittered
 * downwards only: a first poll that comes early learns the job's pace from its progress, one
 * that comes late has only waited longer.
 */
export function firstDelay(o: PollScheduleOptions): number {
  return Math.round(Math.min(o.maxDelayMs, o.initialDelayMs * (1 - o.jitter * o.random())));
}

/** Backoff for the n-th successful poll (0-based), jittered and capped. */
export function pollDelay(n: number, o: PollScheduleOptions): number {
  const raw = Math.min(o.maxDelayMs, o.baseDelayMs * o.factor ** n);
  return Math.round(Math.min(o.maxDelayMs, withJitter(raw, o.jitter, o.random)));
}

/** Backoff after the n-th transient failure in a row (1-based). */
export function errorDelay(n: number, o: PollScheduleOptions): number {
  const raw = Math.min(o.maxDelayMs, o.errorBaseDelayMs * 2 ** (n - 1));
  return Math.round(Math.min(o.maxDelayMs, withJitter(raw, o.jitter, o.random)));
}

/**
 * When a job that is `progress`% done after `elapsedMs` should finish, if it keeps its pace:
 * polling then, rather than on the backoff's next beat, saves up to a whole interval per job.
 * Never sooner than `minDelayMs` or 5% of the elapsed time; undefined when progress says
 * nothing (none, 0 or 100).
 */
export function untilDone(progress: number | null | undefined, elapsedMs: number, o: PollScheduleOptions): number | undefined {
  if (progress == null || !(progress > 0 && progress < 100) || elapsedMs <= 0) return undefined;
  const remaining = (elapsedMs * (100 - progress)) / progress;
  return Math.round(Math.max(o.minDelayMs, elapsedMs * 0.05, remaining * 1.05 + 50));
}

/**
 * The next step after a poll ended with `outcome` at time `now`. Returns the new state and the
 * decision; never waits past the overall deadline (the last wait is shortened to hit it exactly,
 * so one final poll happens at the deadline).
 */
export function nextPoll(state: PollState, outcome: PollOutcome, now: number, o: PollScheduleOptions): { state: PollState; decision: PollDecision } {
  let s = state;
  let delay: number;
  switch (outcome.kind) {
    case 'ok':
      if (outcome.terminal) return { state: { ...s, polls: s.polls + 1, consecutiveErrors: 0, seenJob: true }, decision: { action: 'done' } };
      delay = Math.min(pollDelay(s.polls, o), untilDone(outcome.progress, now - s.startedAt, o) ?? Infinity);
      s = { ...s, polls: s.polls + 1, consecutiveErrors: 0, seenJob: true };
      break;
    case 'not_found':
      // A 404 before the job was ever seen is Azure's "not visible yet"; after, it is gone for real.
      if (s.seenJob || now - s.startedAt >= o.early404GraceMs) {
        return { state: s, decision: { action: 'give_up', reason: 'not_found' } };
      }
      delay = pollDelay(s.polls, o);
      break;
    case 'rate_limited':
    case 'transient': {
      const errors = s.consecutiveErrors + 1;
      s = { ...s, consecutiveErrors: errors };
      if (errors > o.maxConsecutiveErrors) return { state: s, decision: { action: 'give_up', reason: 'too_many_errors' } };
      delay = outcome.retryAfterMs && outcome.retryAfterMs > 0 ? outcome.retryAfterMs : errorDelay(errors, o);
      break;
    }
  }
  const remaining = s.startedAt + o.timeoutMs - now;
  if (remaining <= 0) return { state: s, decision: { action: 'give_up', reason: 'timeout' } };
  return { state: s, decision: { action: 'wait', delayMs: Math.max(0, Math.min(delay, remaining)) } };
}
