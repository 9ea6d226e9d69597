import { resolve } from 'node:path';
import type { Session } from '../auth/session.js';
import type { Context } from '../context/context.js';
import type { Db } from '../db/connection/types.js';
import type { GenerationRow } from '../db/tables/generations.js';
import type { ProfileWithKey } from '../sora/profile.js';
import type { ProgressView } from '../output/progress.js';
import { soraClientFor, type PollScheduleOptions, type SoraClient, type SoraDeploymentUnavailableError } from '../sora/index.js';
import { sleep, type Sleep } from '../sora/sleep.js';
import { storageSettings, type StorageSettings } from '../storage/settings.js';
import { Leases, leaseMs, newOwnerId } from './leases.js';
import { Limiter } from './limiter.js';
import { downloadDir } from './out-dir.js';
import { CreatePacer } from './pacer.js';

/** What a run is asked to do: the flags of generate and jobs wait. */
export interface RunRequest {
  /** false: return once every line is submitted (`--no-wait`). */
  wait: boolean;
  timeoutMs?: number;
  concurrency: number;
  /** sora-2 creates per minute on a resource, as this process asks (0: unpaced; 429s still pause everyone); unset: the profile's, else 2. */
  createsPerMinute?: number;
  /** Label of a row in progress lines (`line 3`, or a short id). */
  label: (row: GenerationRow) => string;
  /** One line (generate PROMPT, jobs wait ID): a spinner instead of a block of lines. */
  single: boolean;
  /** `generate --out`: where videos go when a row's stored request does not say. */
  out?: string;
  /** `jobs wait --out`: wins over the folder stored with the row. */
  outOverride?: string;
}

/** What a run reads of the Context: the database and session, the knobs in the process environment, settings, the clock, the terminal. */
export type RunnerContext = Pick<Context, 'db' | 'session' | 'processEnv' | 'cwd' | 'io' | 'globals' | 'now' | 'signal' | 'log' | 'setting' | 'progress'>;

/** A set that says when it changes: the batch's totals redraw at once, not at their next second. */
export class WatchedSet<T> extends Set<T> {
  onChange?: () => void;

  override add(value: T): this {
    const fresh = !this.has(value);
    super.add(value);
    if (fresh) this.onChange?.();
    return this;
  }

  override delete(value: T): boolean {
    const had = super.delete(value);
    if (had) this.onChange?.();
    return had;
  }
}

/**
 * What every phase of a run (recover, submit, poll, download; src/generate/phases) works with,
 * made once per run from the Context and the request: the opened database and session, the
 * leases, the shared create pace, one Sora client per profile, where videos go. Each phase takes a
 * `Pick<Runner, …>` of what it uses; the run's own state is in src/generate/run.ts.
 */
export class Runner {
  readonly db: Db;
  readonly session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>;
  readonly signal: AbortSignal;
  readonly view: ProgressView;
  readonly leases: Leases;
  readonly pacer: CreatePacer;
  readonly limiter: Limiter;
  readonly sleep: Sleep = sleep;
  readonly wait: boolean;
  readonly timeoutMs?: number;
  readonly schedule?: Partial<PollScheduleOptions>;
  /** Azure Blob Storage for the videos (storage-url); undefined: video_metadata.url stays the local path. */
  readonly storage?: StorageSettings;
  readonly onDebug?: (line: string) => void;
  readonly label: (row: GenerationRow) => string;
  readonly profiles: Map<string, ProfileWithKey>;
  readonly concurrency: number;
  /** How often to look again at rows another process holds. */
  readonly recheckMs: number;
  /** Rows being driven here that wait for a create turn (shown apart from the running ones). */
  readonly quotaWaiting = new WatchedSet<string>();
  private readonly processEnv: Context['processEnv'];
  private readonly clock: () => Date;
  private readonly defaultOut: string;
  private readonly outOverride?: string;
  private readonly clients = new Map<string, SoraClient>();
  /**
   * Profiles whose deployment the service said is missing or retired in this run: their other
   * lines are refused the same way without a request (or a wait for the create quota).
   */
  readonly unavailable = new Map<string, SoraDeploymentUnavailableError>();

  constructor(
    ctx: Omit<RunnerContext, 'db' | 'session' | 'io' | 'globals'>,
    opened: { db: Db; session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>; view: ProgressView; profiles: ProfileWithKey[] },
    request: RunRequest,
    onLeaseLost: (id: string) => void,
  ) {
    const env = ctx.processEnv;
    this.db = opened.db;
    this.session = opened.session;
    this.view = opened.view;
    this.profiles = new Map(opened.profiles.map((p) => [p.name, p]));
    this.signal = ctx.signal;
    this.processEnv = env;
    this.clock = ctx.now;
    this.wait = request.wait;
    this.timeoutMs = request.timeoutMs;
    this.concurrency = request.concurrency;
    this.label = request.label;
    this.schedule = pollSchedule(env);
    this.recheckMs = recheckMs(env);
    this.defaultOut = downloadDir(ctx, request.out);
    this.outOverride = request.outOverride === undefined ? undefined : downloadDir(ctx, request.outOverride);
    this.onDebug = ctx.log.debugEnabled ? (l) => ctx.log.debug(l) : undefined;
    this.storage = storageSettings(env, ctx.setting, this.onDebug);
    const owner = newOwnerId();
    const profiles = this.profiles;
    this.limiter = new Limiter(
      (name) => (profiles.get(name)?.sora_version === 'sora-1' ? { maxRunning: 2 } : {}),
      () => this.now(),
      this.sleep,
    );
    this.leases = new Leases(this.db, this.session, owner, leaseMs(env), onLeaseLost);
    const quotaWindowMs = env.OCTO_QUOTA_WINDOW_MS ? Math.max(100, Number(env.OCTO_QUOTA_WINDOW_MS)) || undefined : undefined;
    this.pacer = new CreatePacer(this.db, owner, (p) => paceOf(request.createsPerMinute, p), this.limiter, this.sleep, quotaWindowMs);
  }

  /** The clock in ms since the epoch; nothing in the runner reads Date.now() itself. */
  now(): number {
    return this.clock().getTime();
  }

  /** The folder a row's videos go to: `jobs wait --out`, else the one stored with the row, else the default. */
  outFolder(stored: string | undefined): string {
    return resolve(this.outOverride ?? stored ?? this.defaultOut);
  }

  /** One client per profile for the run; 429s and refused connections are retried by the submit phase, through the shared pace. */
  clientFor(p: ProfileWithKey): SoraClient {
    let client = this.clients.get(p.name);
    if (!client) {
      const onDebug = this.onDebug;
      client = soraClientFor(p, this.processEnv, {
        createRetries: 0,
        onRequest: onDebug ? (i) => onDebug(`http ${i.method} ${i.url} → ${i.status} ${i.ms.toFixed(1)} ms`) : undefined,
      });
      this.clients.set(p.name, client);
    }
    return client;
  }
}

/** Azure's default sora-2 quota: creates per minute per deployment. */
export const DEFAULT_CREATES_PER_MINUTE = 2;

/** This process's pace on a profile's resource: --creates-per-minute, else the profile's, else 2 (0: unpaced). */
export function paceOf(flag: number | undefined, p: Pick<ProfileWithKey, 'creates_per_minute'>): number | null {
  const pace = flag ?? p.creates_per_minute ?? DEFAULT_CREATES_PER_MINUTE;
  return pace > 0 ? pace : null;
}

/**
 * OCTO_POLL_MS: a fixed poll interval (emulator runs, CI, tests); unset, the client's own
 * backoff schedule (2 s growing to 15 s) applies.
 */
export function pollSchedule(env: Context['processEnv']): Partial<PollScheduleOptions> | undefined {
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
export function recheckMs(env: Context['processEnv']): number {
  const ms = Number(env.OCTO_POLL_MS);
  return env.OCTO_POLL_MS && Number.isFinite(ms) && ms > 0 ? Math.min(2000, Math.max(20, ms * 2)) : 2000;
}
