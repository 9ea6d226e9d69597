import { closeSync, linkSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { isAlive } from './process-identity.js';

/**
 * An exclusive lock file holding its owner's pid. A lock whose owner has died (kill -9, power
 * loss) is stale and taken over; so is one whose pid now names another program (`holds` says
 * whether a pid is still a legitimate owner). Returns false when a live owner holds it.
 */
export function tryLock(path: string, pid = process.pid, holds: (owner: number) => boolean = isAlive): boolean {
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (place(path, pid)) return true;
    const owner = lockOwner(path);
    if (owner === pid) return true;
    if (owner !== undefined && holds(owner)) return false;
    if (!breakStale(path, pid, holds)) return false;
  }
  return false;
}

/**
 * Removes a stale lock, as one process at a time: two starters that both found it stale must not
 * both remove it (the second would remove the first's new lock, and both would serve one
 * database). Whoever holds `path.break` looks again and removes the lock only if it is still
 * stale; a starter finding the breaker held by a live process leaves the lock to it. True: the
 * stale lock is gone (try to place ours); false: leave it.
 */
function breakStale(path: string, pid: number, holds: (owner: number) => boolean): boolean {
  const breaker = `${path}.break`;
  if (!place(breaker, pid)) {
    const other = lockOwner(breaker);
    if (other !== undefined && other !== pid && isAlive(other)) return false;
    // Its breaker died while breaking: take its place next time round.
    rmSync(breaker, { force: true });
    return true;
  }
  try {
    const owner = lockOwner(path);
    if (owner !== undefined && (owner === pid || holds(owner))) return owner === pid;
    rmSync(path, { force: true });
    return true;
  } finally {
    releaseLock(breaker, pid);
  }
}

/**
 * Creates the lock file holding `pid`; false if it exists. Written whole, then linked into place
 * (atomic, refused if the lock exists): a lock created empty and written after can be read in
 * between as ownerless by a second starter, which would take it over. Where the file system has
 * no hard links, created exclusively, then written.
 */
function place(path: string, pid: number): boolean {
  const whole = `${path}.${pid}.tmp`;
  writeFileSync(whole, String(pid), { mode: 0o600 });
  try {
    linkSync(whole, path);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP') throw error;
  } finally {
    unlinkSync(whole);
  }
  try {
    const fd = openSync(path, 'wx', 0o600);
    writeSync(fd, String(pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
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
