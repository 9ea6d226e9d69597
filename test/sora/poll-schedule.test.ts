import { describe, expect, it } from 'vitest';
import {
  errorDelay,
  firstDelay,
  nextPoll,
  pollDelay,
  resolveSchedule,
  startPoll,
  untilDone,
  withJitter,
  type PollState,
} from '../../src/sora/poll-schedule.js';
import { pollUntilDone } from '../../src/sora/poll.js';
import {
  SoraJobFailedError,
  SoraModerationError,
  SoraNotFoundError,
  SoraRateLimitError,
  SoraServerError,
  SoraTimeoutError,
  SoraAbortedError,
} from '../../src/sora/errors.js';
import { normalizeSora2Video } from '../../src/sora/normalize.js';
import type { Job } from '../../src/sora/types.js';

const noJitter = resolveSchedule({
  jitter: 0,
  initialDelayMs: 1000,
  baseDelayMs: 1000,
  factor: 2,
  maxDelayMs: 8000,
  timeoutMs: 60_000,
  early404GraceMs: 5000,
  maxConsecutiveErrors: 3,
  errorBaseDelayMs: 500,
});

describe('poll schedule', () => {
  it('backs off geometrically and caps the delay', () => {
    expect([0, 1, 2, 3, 4, 5].map((n) => pollDelay(n, noJitter))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect([1, 2, 3, 4, 5].map((n) => errorDelay(n, noJitter))).toEqual([500, 1000, 2000, 4000, 8000]);
    expect(firstDelay(noJitter)).toBe(1000);
  });

  it('jitters within ±jitter using the injected random source', () => {
    expect(withJitter(1000, 0.2, () => 0)).toBeCloseTo(800);
    expect(withJitter(1000, 0.2, () => 0.5)).toBeCloseTo(1000);
    expect(withJitter(1000, 0.2, () => 0.999999)).toBeCloseTo(1200, 0);
    const o = resolveSchedule({ ...noJitter, jitter: 0.5, random: () => 0 });
    expect(pollDelay(1, o)).toBe(1000);
    // Jitter never pushes a computed delay past the cap.
    expect(pollDelay(10, resolveSchedule({ ...noJitter, jitter: 0.5, random: () => 0.99 }))).toBe(8000);
  });

  it('resets the error streak after a successful poll and stops at terminal', () => {
    let s = startPoll(0);
    let r = nextPoll(s, { kind: 'transient' }, 100, noJitter);
    expect(r.decision).toEqual({ action: 'wait', delayMs: 500 });
    r = nextPoll(r.state, { kind: 'transient' }, 700, noJitter);
    expect(r.decision).toEqual({ action: 'wait', delayMs: 1000 });
    r = nextPoll(r.state, { kind: 'ok', terminal: false }, 2000, noJitter);
    expect(r.state.consecutiveErrors).toBe(0);
    expect(r.decision).toEqual({ action: 'wait', delayMs: 1000 });
    r = nextPoll(r.state, { kind: 'transient' }, 3000, noJitter);
    expect(r.decision).toEqual({ action: 'wait', delayMs: 500 });
    s = r.state;
    expect(nextPoll(s, { kind: 'ok', terminal: true }, 4000, noJitter).decision).toEqual({ action: 'done' });
  });

  it('honours Retry-After even beyond the cap, and gives up after too many errors in a row', () => {
    const s = startPoll(0);
    expect(nextPoll(s, { kind: 'rate_limited', retryAfterMs: 12_000 }, 10, noJitter).decision).toEqual({ action: 'wait', delayMs: 12_000 });
    expect(nextPoll(s, { kind: 'rate_limited', retryAfterMs: null }, 10, noJitter).decision).toEqual({ action: 'wait', delayMs: 500 });
    expect(nextPoll(s, { kind: 'transient', retryAfterMs: 3000 }, 10, noJitter).decision).toEqual({ action: 'wait', delayMs: 3000 });
    let st: PollState = s;
    const decisions = [];
    for (let i = 0; i < 4; i++) {
      const r = nextPoll(st, { kind: 'transient' }, 10 * i, noJitter);
      st = r.state;
      decisions.push(r.decision.action);
    }
    expect(decisions).toEqual(['wait', 'wait', 'wait', 'give_up']);
  });

  it('tolerates a 404 only before the job was seen and only within the grace period', () => {
    const s = startPoll(1000);
    expect(nextPoll(s, { kind: 'not_found' }, 2000, noJitter).decision.action).toBe('wait');
    expect(nextPoll(s, { kind: 'not_found' }, 6000, noJitter).decision).toEqual({ action: 'give_up', reason: 'not_found' });
    const seen = nextPoll(s, { kind: 'ok', terminal: false }, 1500, noJitter).state;
    expect(nextPoll(seen, { kind: 'not_found' }, 1600, noJitter).decision).toEqual({ action: 'give_up', reason: 'not_found' });
  });

  it('never waits past the overall timeout and gives up at it', () => {
    const s = startPoll(0);
    expect(nextPoll(s, { kind: 'ok', terminal: false }, 59_500, noJitter).decision).toEqual({ action: 'wait', delayMs: 500 });
    expect(nextPoll(s, { kind: 'rate_limited', retryAfterMs: 30_000 }, 50_000, noJitter).decision).toEqual({ action: 'wait', delayMs: 10_000 });
    expect(nextPoll(s, { kind: 'ok', terminal: false }, 60_000, noJitter).decision).toEqual({ action: 'give_up', reason: 'timeout' });
  });
});

/** A fake client replaying scripted outcomes on a virtual clock. */
function scripted(steps: (Record<string, unknown> | Error)[]) {
  let i = 0;
  return {
    calls: () => i,
    async get(): Promise<Job> {
      const step = steps[Math.min(i++, steps.length - 1)];
      if (step instanceof Error) throw step;
      return normalizeSora2Video({ id: 'video_1', ...step });
    },
  };
}

function virtualTime() {
  let t = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
    },
  };
}

describe('pollUntilDone (virtual time)', () => {
  const schedule = { jitter: 0, initialDelayMs: 1000, baseDelayMs: 1000, factor: 1, maxDelayMs: 5000, errorBaseDelayMs: 200, early404GraceMs: 3000 };

  it('rides through early 404, 429 with Retry-After and 500s, reporting each status change', async () => {
    const client = scripted([
      new SoraNotFoundError('nope', { status: 404 }),
      { status: 'queued', progress: 0 },
      new SoraRateLimitError('slow down', { status: 429, retryAfterMs: 7000 }),
      new SoraServerError('boom', { status: 500 }),
      { status: 'in_progress', progress: 40 },
      { status: 'in_progress', progress: 40 },
      { status: 'completed', progress: 100 },
    ]);
    const vt = virtualTime();
    const updates: string[] = [];
    const retries: number[] = [];
    const job = await pollUntilDone(client, 'video_1', {
      schedule,
      ...vt,
      onUpdate: (j) => updates.push(`${j.rawStatus}:${j.progress}`),
      onRetry: (r) => retries.push(r.delayMs),
    });
    expect(job.status).toBe('succeeded');
    expect(updates).toEqual(['queued:0', 'in_progress:40', 'completed:100']);
    // The 500 follows the 429: the second error in a row doubles the error backoff.
    expect(vt.sleeps).toEqual([1000, 1000, 1000, 7000, 400, 1000, 1000]);
    expect(retries).toEqual([1000, 7000, 400]);
  });

  it('throws typed errors for failed jobs: moderation apart from other failures', async () => {
    const vt = virtualTime();
    const mod = pollUntilDone(scripted([{ status: 'failed', error: { code: 'input_moderation', message: 'flagged' } }]), 'video_1', { schedule, ...vt });
    await expect(mod).rejects.toBeInstanceOf(SoraModerationError);
    const failed = pollUntilDone(scripted([{ status: 'failed', error: { code: 'internal_error', message: 'kaput' } }]), 'video_1', { schedule, ...vt });
    await expect(failed).rejects.toSatisfy((e: unknown) => e instanceof SoraJobFailedError && e.apiCode === 'internal_error' && /kaput/.test(e.message));
    const ret = await pollUntilDone(scripted([{ status: 'failed', error: { code: 'internal_error' } }]), 'video_1', { schedule, ...vt, returnFailed: true });
    expect(ret.status).toBe('failed');
  });

  it('times out with SoraTimeoutError naming the job, and gives up on a lasting 404', async () => {
    const vt = virtualTime();
    await expect(pollUntilDone(scripted([{ status: 'in_progress', progress: 1 }]), 'video_1', { schedule, timeoutMs: 10_000, ...vt })).rejects.toSatisfy(
      (e: unknown) => e instanceof SoraTimeoutError && e.jobId === 'video_1' && e.code === 'still_running',
    );
    expect(vt.now()).toBe(10_000);
    const gone = scripted([new SoraNotFoundError('gone', { status: 404 })]);
    await expect(pollUntilDone(gone, 'video_1', { schedule, ...virtualTime() })).rejects.toBeInstanceOf(SoraNotFoundError);
    // grace 3000 ms at 1000 ms per poll: the 404 at t=1000, 2000 are tolerated, the one at 3000 is not.
    expect(gone.calls()).toBe(3);
  });

  it('stops with SoraAbortedError when the signal aborts', async () => {
    const ac = new AbortController();
    const client = scripted([{ status: 'in_progress', progress: 1 }]);
    const vt = virtualTime();
    const p = pollUntilDone(client, 'video_1', {
      schedule,
      now: vt.now,
      signal: ac.signal,
      sleep: async (ms) => {
        await vt.sleep(ms);
        if (vt.now() >= 3000) ac.abort();
      },
    });
    await expect(p).rejects.toBeInstanceOf(SoraAbortedError);
  });

  it('rethrows errors that are not transient at once', async () => {
    const client = scripted([new SoraModerationError('nope', { status: 400 }), { status: 'completed' }]);
    await expect(pollUntilDone(client, 'v', { schedule, ...virtualTime() })).rejects.toBeInstanceOf(SoraModerationError);
    expect(client.calls()).toBe(1);
  });
});

describe('progress-aware polling', () => {
  const o = resolveSchedule({ jitter: 0.2, random: () => 0.5 });
  it('polls when the job should be done, from its progress and age', () => {
    // 80% after 1.6 s: 0.4 s to go (+5% +50 ms).
    expect(untilDone(80, 1600, o)).toBe(470);
    const step = nextPoll({ ...startPoll(0), polls: 0 }, { kind: 'ok', terminal: false, progress: 80 }, 1600, o);
    expect(step.decision).toEqual({ action: 'wait', delayMs: 470 });
  });
  it('never polls sooner than 5% of the job age, nor without usable progress', () => {
    expect(untilDone(99, 120_000, o)).toBe(6000);
    expect(untilDone(0, 1000, o)).toBeUndefined();
    expect(untilDone(null, 1000, o)).toBeUndefined();
    const step = nextPoll(startPoll(0), { kind: 'ok', terminal: false, progress: 10 }, 1000, o);
    expect(step.decision).toEqual({ action: 'wait', delayMs: 2000 });
  });
  it('jitters the first poll downwards only', () => {
    expect(firstDelay(resolveSchedule({ random: () => 0 }))).toBe(2000);
    expect(firstDelay(resolveSchedule({ random: () => 0.999 }))).toBeLessThan(2000);
  });
});
