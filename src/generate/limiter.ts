import { sleep as defaultSleep, type Sleep } from '../sora/sleep.js';

/**
 * One limiter shared by every worker of a run (never one per worker):
 * - a 429 from any create pauses every worker until its Retry-After has passed;
 * - per profile, at most `maxRunning` jobs between create and their end (sora-1: 2, the
 *   service's own limit; more would only queue remotely);
 * - per profile, at most `createsPerWindow` creates in any `windowMs` (sora-2's quota).
 */

export interface ProfileLimits {
  maxRunning?: number;
  createsPerWindow?: number;
  windowMs?: number;
}

export interface Slot {
  release(): void;
}

export class Limiter {
  private pausedUntil = 0;
  private readonly running = new Map<string, number>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private readonly creates = new Map<string, number[]>();

  constructor(
    private readonly limitsFor: (key: string) => ProfileLimits,
    private readonly now: () => number = Date.now,
    private readonly sleep: Sleep = defaultSleep,
  ) {}

  /** Called on a 429: every worker waits at least this long before its next create. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
  }

  get pausedForMs(): number {
    return Math.max(0, this.pausedUntil - this.now());
  }

  /** A running-job slot for `key`; hold it from before the create until the job ends. */
  async slot(key: string, signal?: AbortSignal): Promise<Slot> {
    const max = this.limitsFor(key).maxRunning ?? Infinity;
    while ((this.running.get(key) ?? 0) >= max) {
      await new Promise<void>((resolve, reject) => {
        const list = this.waiters.get(key) ?? [];
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiters.set(
            key,
            (this.waiters.get(key) ?? []).filter((w) => w !== wake),
          );
          reject(signal!.reason);
        };
        if (signal?.aborted) return reject(signal.reason);
        signal?.addEventListener('abort', onAbort, { once: true });
        list.push(wake);
        this.waiters.set(key, list);
      });
    }
    this.running.set(key, (this.running.get(key) ?? 0) + 1);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.running.set(key, (this.running.get(key) ?? 1) - 1);
        this.waiters.get(key)?.shift()?.();
      },
    };
  }

  /** Waits until a create for `key` is allowed (pause over, within the per-window quota), then counts it. */
  async beforeCreate(key: string, signal?: AbortSignal): Promise<void> {
    const { createsPerWindow, windowMs = 60_000 } = this.limitsFor(key);
    for (;;) {
      const t = this.now();
      if (this.pausedUntil > t) {
        await this.sleep(this.pausedUntil - t, signal);
        continue;
      }
      if (createsPerWindow && createsPerWindow > 0) {
        const recent = (this.creates.get(key) ?? []).filter((x) => t - x < windowMs);
        this.creates.set(key, recent);
        const [oldest] = recent;
        if (oldest !== undefined && recent.length >= createsPerWindow) {
          await this.sleep(oldest + windowMs - t + 1, signal);
          continue;
        }
        recent.push(t);
      }
      return;
    }
  }
}
