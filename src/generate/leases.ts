import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Session } from '../auth/session.js';
import { renewClaims } from '../db/tables/generation-state.js';
import type { Db } from '../db/connection/types.js';
import { isAlive } from '../db/connection/embedded/process-identity.js';

/** OCTO_LEASE_MS: how long a claim lives without renewal (default 60 s; tests shorten it). */
export function leaseMs(env: Record<string, string | undefined>): number {
  const ms = Number(env.OCTO_LEASE_MS);
  return env.OCTO_LEASE_MS && Number.isFinite(ms) && ms >= 200 ? ms : 60_000;
}

/** This process's name in `claimed_by`: readable in a psql session, unique per run. */
export function newOwnerId(): string {
  return `${hostname().slice(0, 40)}:${process.pid}:${randomBytes(4).toString('hex')}`;
}

/**
 * Who holds a line, for a message. A holder on this machine whose pid is gone (killed, crashed)
 * is said to be so: its claim still stands until it lapses (a pid seen from another container
 * with the same host name proves nothing, so octo never takes a claim early on this alone).
 */
export function describeHolder(owner: string | null, heldMs: number): { text: string; gone: boolean } {
  const [host, pidText] = (owner ?? '').split(':');
  const pid = Number(pidText);
  const gone = host === hostname().slice(0, 40) && Number.isInteger(pid) && pid !== process.pid && !isAlive(pid);
  if (!gone) return { text: `being handled by another octo process (${owner})`, gone };
  return {
    text: `held by octo process ${pid} on this machine, which is no longer running (its claim lapses within ${Math.max(1, Math.ceil(heldMs / 1000))} s)`,
    gone,
  };
}

/**
 * The leases one run holds: every row it is working on, renewed together (one statement) every
 * third of the lease, so a live process never loses a row and a dead one frees its rows within a
 * lease. A row whose lease was lost anyway (the process stalled longer than a lease) is reported;
 * the compare-and-set writes keep it from doing harm.
 */
export class Leases {
  private readonly held = new Set<string>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Db,
    private readonly session: Pick<Session, 'sessionId' | 'tokenHash' | 'token'>,
    readonly owner: string,
    readonly ms: number,
    private readonly onLost: (id: string) => void = () => {},
  ) {}

  add(id: string): void {
    this.held.add(id);
    if (!this.timer) {
      this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(this.ms / 3)));
      this.timer.unref();
    }
  }

  delete(id: string): void {
    this.held.delete(id);
    if (this.held.size === 0) this.stop();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  private async renew(): Promise<void> {
    const ids = [...this.held];
    try {
      const kept = new Set(await renewClaims(this.db, this.session, this.owner, ids, this.ms));
      for (const id of ids) if (!kept.has(id) && this.held.has(id)) this.onLost(id);
    } catch {
      // A failed renewal is retried at the next tick; the lease has two more thirds to live.
    }
  }
}
