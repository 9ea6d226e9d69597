import { closeSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { isAlive } from './process-identity.js';

/**
 * An exclusive lock file holding its owner's pid. A lock whose owner has died (kill -9, power
 * loss) is stale and taken over; so is one whose pid now names another program (`holds` says
 * whether a pid is still a legitimate owner). Returns false when a live owner holds it.
 */
export function tryLock(path: string, pid = process.pid, holds: (owner: number) => boolean = isAlive): boolean {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, String(pid));
      closeSync(fd);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const owner = lockOwner(path);
    if (owner !== undefined && owner !== pid && holds(owner)) return false;
    if (owner === pid) return true;
    try {
      unlinkSync(path);
    } catch {
      // Another process took over the stale lock first; try again.
    }
  }
  return false;
}

export function lockOwner(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8'), 10);
    return Number.isFinite(pid) ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function releaseLock(path: string, pid = process.pid): void {
  if (lockOwner(path) === pid) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone.
    }
  }
}
