import { isAbsolute, resolve } from 'node:path';
import type { Context } from '../context/context.js';
import type { PollScheduleOptions } from '../sora/index.js';
import { storageSettings } from '../storage/settings.js';
import { leaseMs } from './leases.js';
import type { RunnerOptions } from './runner.js';

/** What generate and jobs wait read of the Context. */
export type GenerateContext = Pick<Context, 'processEnv' | 'cwd' | 'io' | 'globals' | 'now' | 'signal' | 'log' | 'db' | 'session' | 'setting'>;

/** Environment knobs shared by generate and jobs (the flag parsers are in src/cli/flag-parsers.ts). */

/**
 * OCTO_POLL_MS: a fixed poll interval (emulator runs, CI, tests); unset, the client's own
 * backoff schedule (2 s growing to 15 s) applies.
 */
export function pollSchedule(env: Record<string, string | undefined>): Partial<PollScheduleOptions> | undefined {
  const ms = Number(env.OCTO_POLL_MS);
  if (!env.OCTO_POLL_MS || !Number.isFinite(ms) || ms <= 0) return undefined;
  return {
    initialDelayMs: ms,
    baseDelayMs: ms,
    factor: 1,
    maxDelayMs: Math.max(ms, 50),
    jitter: 0.1,
    errorBaseDelayMs: ms,
    early404GraceMs: Math.max(30_000, ms * 10),
  };
}

/** How often a run looks again at lines another process holds: a fraction of a poll, at most 2 s. */
export function recheckMs(env: Record<string, string | undefined>): number {
  const ms = Number(env.OCTO_POLL_MS);
  return env.OCTO_POLL_MS && Number.isFinite(ms) && ms > 0 ? Math.min(2000, Math.max(20, ms * 2)) : 2000;
}

/** Where videos go: `--out`, else the download-dir setting, else octo-videos; relative to the cwd. */
export function downloadDir(ctx: Pick<Context, 'setting' | 'cwd'>, out?: string): string {
  const dir = out ?? ctx.setting('download-dir') ?? 'octo-videos';
  return isAbsolute(dir) ? dir : resolve(ctx.cwd, dir);
}

/** What generate and jobs wait hand the runner alike; each adds its concurrency and labels. */
export function runnerOptions(
  ctx: GenerateContext,
  flags: { wait: boolean; timeout?: number; createsPerMinute?: number; out?: string; outOverride?: string },
  opened: Pick<RunnerOptions, 'db' | 'session' | 'profiles' | 'view'>,
): Omit<RunnerOptions, 'concurrency' | 'label'> {
  return {
    ...opened,
    signal: ctx.signal,
    wait: flags.wait,
    timeoutMs: flags.timeout,
    schedule: pollSchedule(ctx.processEnv),
    createsPerMinute: flags.createsPerMinute,
    defaultOut: downloadDir(ctx, flags.out),
    storage: storageSettings(ctx.processEnv, ctx.setting, ctx.log.debugEnabled ? (l) => ctx.log.debug(l) : undefined),
    outOverride: flags.outOverride,
    now: () => ctx.now().getTime(),
    leaseMs: leaseMs(ctx.processEnv),
    recheckMs: recheckMs(ctx.processEnv),
    quotaWindowMs: ctx.processEnv.OCTO_QUOTA_WINDOW_MS ? Math.max(100, Number(ctx.processEnv.OCTO_QUOTA_WINDOW_MS)) || undefined : undefined,
    onDebug: ctx.log.debugEnabled ? (l) => ctx.log.debug(l) : undefined,
    env: ctx.processEnv,
  };
}
