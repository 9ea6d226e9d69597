import { leavePacing, pauseCreates, takeCreateTurn } from '../db/tables/pacing.js';
import type { Profile } from '../sora/profile.js';
import type { Db } from '../db/connection/types.js';
import type { Sleep } from '../sora/sleep.js';
import type { Limiter } from './limiter.js';

/** What a line waiting for its create turn is told (see CreatePacer.turn). */
export type QuotaWait = { ms: number } | { after: number };

/** The resource a quota belongs to: the endpoint's host and the deployment (lower case). */
export function resourceKey(p: Pick<Profile, 'endpoint' | 'deployment'>): string {
  let host = p.endpoint;
  try {
    host = new URL(p.endpoint).host;
  } catch {
    // Stored endpoints are validated URLs; keep the raw text if one is not.
  }
  return `${host.toLowerCase()}/${p.deployment.toLowerCase()}`;
}

/**
 * When a create may go out. sora-2: the resource's quota in the database, shared with every other
 * process and user on the resource (src/db/tables/pacing.ts). sora-1 has no create quota, only its
 * two-running-jobs limit; its 429s pause this run's workers.
 */
export class CreatePacer {
  private used = false;
  /** Per resource, this process's lines waiting for a create turn, earliest line first. */
  private readonly queues = new Map<string, { order: number }[]>();

  constructor(
    private readonly db: Db,
    private readonly owner: string,
    /** This process's pace for a profile (creates per minute; 0 or null: unpaced). */
    private readonly paceFor: (p: Profile) => number | null,
    private readonly limiter: Limiter,
    private readonly sleep: Sleep,
    /** The quota's window (OCTO_QUOTA_WINDOW_MS; tests shorten it). */
    private readonly windowMs?: number,
  ) {}

  /**
   * `onWait`: `{ ms }`, the database says the turn is this far off (called again whenever that
   * changes); `{ after }`, the line waits behind this process's earlier line `after`, whose own turn
   * comes first (no time is known for it: the database answers only the line at the front).
   * `order`: where the line stands in its run (its line number): this process's workers waiting on
   * one resource take their turns in that order, so paced lines are created in file order, not in
   * the order their naps happen to end.
   */
  async turn(p: Profile, signal: AbortSignal, onWait?: (wait: QuotaWait) => void, order = 0): Promise<void> {
    if (p.sora_version === 'sora-1') return this.limiter.beforeCreate(p.name, signal);
    this.used = true;
    const key = resourceKey(p);
    const queue = this.queues.get(key) ?? [];
    this.queues.set(key, queue);
    const me = { order };
    queue.push(me);
    queue.sort((a, b) => a.order - b.order);
    try {
      for (;;) {
        const front = queue[0]!;
        if (front !== me) {
          // Behind an earlier line: it asks the database; this one waits its turn here.
          onWait?.({ after: front.order });
          await this.sleep(100, signal);
          continue;
        }
        const t = await takeCreateTurn(this.db, { resource: key, owner: this.owner, pace: this.paceFor(p), windowMs: this.windowMs });
        if (t.granted) return;
        onWait?.({ ms: t.waitMs });
        // Short naps: a stricter pace or a pause set by another process applies at the next try.
        await this.sleep(Math.min(t.waitMs, 5_000), signal);
      }
    } finally {
      queue.splice(queue.indexOf(me), 1);
    }
  }

  /** A 429: every worker (sora-1) or every process on the resource (sora-2) waits `ms`. */
  async rateLimited(p: Profile, ms: number): Promise<void> {
    this.limiter.pause(ms);
    if (p.sora_version === 'sora-2') await pauseCreates(this.db, resourceKey(p), ms);
  }

  async close(): Promise<void> {
    if (this.used) await leavePacing(this.db, this.owner).catch(() => undefined);
  }
}
