import { setMaxListeners } from 'node:events';
import type { Session } from '../auth/session.js';
import { InterruptedError } from '../core/errors.js';
import { claimNext, currentRows, releaseClaim } from '../db/tables/generation-state.js';
import type { GenerationRow } from '../db/tables/generations.js';
import type { Profile, ProfileWithKey } from '../sora/profile.js';
import type { Db } from '../db/connection/types.js';
import type { ProgressView } from '../output/progress.js';
import { soraClientFor, type PollScheduleOptions, type SoraClient } from '../sora/index.js';
import { sleep as defaultSleep, type Sleep } from '../sora/sleep.js';
import type { RunContext } from './context.js';
import { driveRow } from './drive.js';
import { Leases, newOwnerId } from './leases.js';
import { Limiter } from './limiter.js';
import { CreatePacer } from './pacer.js';
import { FAILED, TERMINAL, elapsed, resultOf, type LineResult } from './results.js';

export { FAILED, TERMINAL, resultOf, type LineResult } from './results.js';

/**
 * The engine behind `generate`, `generate --file`, `--resume` and `jobs wait`, safe with any
 * number of octo processes on any number of machines over the same rows:
 *
 * each worker claims the next unfinished row nobody holds (a lease in the database, one
 * statement), drives it through the phases (src/generate/drive.ts), releases it and claims the
 * next. Rows another live process holds are never touched: the run says so and waits for them
 * (`--no-wait`: reports them and stops), re-reading their state until they finish or their lease
 * expires (a dead process), when it takes them over.
 */

export interface RunnerOptions {
  db: Db;
  session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>;
  profiles: ProfileWithKey[];
  view: ProgressView;
  signal: AbortSignal;
  concurrency: number;
  /** false: return once every line is submitted (`--no-wait`). */
  wait: boolean;
  timeoutMs?: number;
  schedule?: Partial<PollScheduleOptions>;
  /** sora-2 creates per minute on a resource, as this process asks (0: unpaced; 429s still pause everyone); unset: the profile's, else 2. */
  createsPerMinute?: number;
  /** Label of a row in progress lines (`line 3`, or a short id). */
  label: (row: GenerationRow) => string;
  /** Where videos go when a row's stored request does not say. */
  defaultOut: string;
  /** `jobs wait --out`: wins over the stored folder. */
  outOverride?: string;
  /** The clock (ms since the epoch) and sleep; injected, never read from the globals here. */
  now: () => number;
  sleep?: Sleep;
  /** Lease length (OCTO_LEASE_MS). */
  leaseMs: number;
  /** The create quota's window (default a minute and 2%). */
  quotaWindowMs?: number;
  /** How often to look again at rows another process holds. */
  recheckMs: number;
  /** Azure Blob Storage for the videos (storage-url); undefined: video_metadata.url stays the local path. */
  storage?: RunContext['storage'];
  onDebug?: (line: string) => void;
  /** Where an `api-key-env` profile's key is read from. */
  env: Record<string, string | undefined>;
}

export async function runGenerations(rows: GenerationRow[], o: RunnerOptions): Promise<LineResult[]> {
  // Every worker's sleeps and requests listen on the one Ctrl-C signal.
  setMaxListeners(Math.max(50, o.concurrency * 10), o.signal);
  const sleep = o.sleep ?? defaultSleep;
  const profiles = new Map(o.profiles.map((p) => [p.name, p]));
  const owner = newOwnerId();
  const limiter = new Limiter((name) => (profiles.get(name)?.sora_version === 'sora-1' ? { maxRunning: 2 } : {}), o.now, sleep);
  const leases = new Leases(o.db, o.session, owner, o.leaseMs, (id) => o.view.event(`${labelOf(id)}: lease lost to another process`));
  const pacer = new CreatePacer(o.db, owner, (p) => paceOf(o.createsPerMinute, p), limiter, sleep, o.quotaWindowMs);
  const ctx: RunContext = {
    db: o.db,
    session: o.session,
    now: o.now,
    sleep,
    signal: o.signal,
    view: o.view,
    leases,
    pacer,
    clientFor: clientCache(o.env, o.onDebug),
    label: o.label,
    wait: o.wait,
    timeoutMs: o.timeoutMs,
    schedule: o.schedule,
    defaultOut: o.defaultOut,
    outOverride: o.outOverride,
    storage: o.storage,
    onDebug: o.onDebug,
  };

  const order = rows.map((r) => r.id);
  const byId = new Map(rows.map((r, i) => [r.id, i]));
  const rowOf = (id: string) => rows[byId.get(id)!]!;
  const labelOf = (id: string) => o.label(rowOf(id));
  const results: LineResult[] = rows.map((r) => resultOf(r));
  const settled = new Set<string>();
  const active = new Set<string>();
  const announced = new Set<string>();
  const counts = { done: 0, failed: 0, running: 0 };
  const started = o.now();
  const drawTotals = () => {
    const waiting = rows.length - counts.done - counts.failed - counts.running;
    o.view.totals(`${counts.done} done · ${counts.failed} failed · ${counts.running} running · ${waiting} waiting · ${elapsed(started, o.now())}`);
  };
  const settle = (id: string, result: LineResult) => {
    if (settled.has(id)) return;
    settled.add(id);
    results[byId.get(id)!] = result;
    if (result.status === 'completed') counts.done++;
    else if (FAILED.has(result.status)) counts.failed++;
    drawTotals();
  };
  for (const r of rows) if (TERMINAL.has(r.status)) settle(r.id, resultOf(r));
  drawTotals();
  // The totals' clock keeps running between events (a terminal redraws it; piped output ignores it).
  const clock = setInterval(drawTotals, 1000);
  clock.unref();

  const open = () => order.filter((id) => !settled.has(id) && !active.has(id));
  const timedOut = () => o.timeoutMs !== undefined && o.now() - started >= o.timeoutMs;

  /** Re-reads the rows this process is not driving: settles what others finished, names what they hold. */
  let refreshing: Promise<number> | undefined;
  const refresh = () =>
    (refreshing ??= (async () => {
      let held = 0;
      for (const r of await currentRows(o.db, o.session, open())) {
        results[byId.get(r.id)!] = resultOf(r);
        if (TERMINAL.has(r.status) || (!o.wait && r.job_id)) {
          settle(r.id, resultOf(r));
        } else if (r.held) {
          held++;
          if (!announced.has(r.id)) {
            announced.add(r.id);
            o.view.event(`${o.label(r)}: being handled by another octo process (${r.claimed_by}); ${o.wait ? 'waiting for it' : 'left to it'}`);
          }
        }
      }
      return held;
    })().finally(() => {
      refreshing = undefined;
    }));

  const worker = async () => {
    while (!o.signal.aborted && !timedOut()) {
      const candidates = open();
      if (candidates.length === 0) return;
      let row;
      try {
        row = await claimNext(o.db, o.session, { ids: candidates, owner, leaseMs: o.leaseMs, unsubmittedOnly: !o.wait });
      } catch (error) {
        // The database is out of reach: every line not started stops here, as an error.
        for (const id of open()) {
          const r = resultOf(rowOf(id), { status: 'error', failure_reason: (error as Error).message });
          Object.defineProperty(r, 'error', { value: error, enumerable: false });
          settle(id, r);
        }
        return;
      }
      if (!row) {
        const held = await refresh();
        if (open().length === 0 || (!o.wait && held === open().length)) return;
        try {
          await sleep(o.recheckMs, o.signal);
        } catch {
          return;
        }
        continue;
      }
      active.add(row.id);
      leases.add(row.id);
      counts.running++;
      drawTotals();
      let result: LineResult | null;
      try {
        result = await driveRow(ctx, row, profiles, limiter);
      } catch (error) {
        result = resultOf(row, { status: 'error', failure_reason: error instanceof Error ? error.message : String(error) });
        // Kept for a single generate to rethrow (exit code, hint); never serialised.
        Object.defineProperty(result, 'error', { value: error, enumerable: false });
        // One row (generate PROMPT, jobs wait ID): the caller rethrows it, so it is printed once.
        if (!(error instanceof InterruptedError) && !o.signal.aborted && rows.length > 1) o.view.event(`${o.label(row)}: error: ${(error as Error).message}`);
      } finally {
        leases.delete(row.id);
        await releaseClaim(o.db, o.session, owner, row.id).catch(() => undefined);
        active.delete(row.id);
        counts.running--;
        o.view.remove(row.id);
      }
      // null: canceled, taken over, or a create that may still be in flight; looked at again shortly.
      if (result) settle(row.id, result);
      else {
        drawTotals();
        await sleep(o.recheckMs, o.signal).catch(() => undefined);
      }
    }
  };

  try {
    // Say at once which lines another process is working on (and take in what others finished).
    if (open().length > 0) await refresh();
    await Promise.all(Array.from({ length: Math.max(1, Math.min(o.concurrency, rows.length)) }, worker));
    if (!o.signal.aborted && open().length > 0) {
      const held = await refresh();
      if (held > 0 && !o.wait) o.view.event(`${held} line(s) are being submitted by another octo process; follow them with: octo jobs wait --all`);
    }
  } finally {
    clearInterval(clock);
    leases.stop();
    await pacer.close();
  }
  return results;
}

/** Azure's default sora-2 quota: creates per minute per deployment. */
export const DEFAULT_CREATES_PER_MINUTE = 2;

/** This process's pace on a profile's resource: --creates-per-minute, else the profile's, else 2 (0: unpaced). */
export function paceOf(flag: number | undefined, p: Pick<Profile, 'creates_per_minute'>): number | null {
  const pace = flag ?? p.creates_per_minute ?? DEFAULT_CREATES_PER_MINUTE;
  return pace > 0 ? pace : null;
}

function clientCache(env: Record<string, string | undefined>, onDebug?: (line: string) => void): (p: ProfileWithKey) => SoraClient {
  const clients = new Map<string, SoraClient>();
  return (p) => {
    let c = clients.get(p.name);
    if (!c) {
      c = soraClientFor(p, env, {
        // 429s and refused connections are retried by the submit phase, through the shared pace.
        createRetries: 0,
        onRequest: onDebug ? (i) => onDebug(`http ${i.method} ${i.url} → ${i.status} ${i.ms.toFixed(1)} ms`) : undefined,
      });
      clients.set(p.name, c);
    }
    return c;
  };
}
