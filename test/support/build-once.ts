import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

/**
 * dist/ is rebuilt only when what it is built from changed (a content hash, not timestamps), and
 * two test runs starting at once in the same checkout build it once: the second waits on a lock.
 */

/**
 * What the bundle is made of: sources, the build script, the dependency versions, and the schema
 * (dist/embedded-template.tar.gz is a migrated database).
 */
export const BUILD_INPUTS = ['src', 'scripts/build.mjs', 'scripts/neon-schema.sql', 'scripts/migrations', 'package.json', 'package-lock.json'];

function filesUnder(root: string, path: string): string[] {
  const full = join(root, path);
  if (!existsSync(full)) return [];
  if (!statSync(full).isDirectory()) return [path];
  return readdirSync(full, { withFileTypes: true })
    .flatMap((entry) => filesUnder(root, join(path, entry.name)))
    .sort();
}

export function sourceHash(root: string, inputs: readonly string[] = BUILD_INPUTS): string {
  const hash = createHash('sha256');
  for (const file of inputs.flatMap((input) => filesUnder(root, input))) {
    hash
      .update(relative(root, join(root, file)))
      .update('\0')
      .update(readFileSync(join(root, file)))
      .update('\0');
  }
  return hash.digest('hex');
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Runs `work` holding the lock folder `lock` (mkdir is atomic). A lock whose holder died is taken
 * over; a live holder is waited for, up to `timeoutMs`.
 */
export async function withLock<T>(lock: string, work: () => T | Promise<T>, timeoutMs = 10 * 60_000): Promise<T> {
  const started = Date.now();
  for (;;) {
    try {
      mkdirSync(lock);
      writeFileSync(join(lock, 'pid'), String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = Number.NaN;
      try {
        holder = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // being created or removed right now: look again
      }
      const since = statSync(lock, { throwIfNoEntry: false })?.mtimeMs;
      if (since === undefined) continue; // released meanwhile
      // A folder without a readable pid for 30 s was left by a run killed while taking it.
      const stale = Number.isInteger(holder) && holder > 0 ? !alive(holder) : Date.now() - since > 30_000;
      if (stale) rmSync(lock, { recursive: true, force: true });
      else if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${lock} (held by pid ${holder})`);
      else await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return await work();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Builds `root`/dist unless its recorded source hash matches. Returns whether it built. */
export async function buildIfChanged(root: string, lockDir: string): Promise<boolean> {
  const stamp = join(root, 'dist', '.source-hash');
  const current = () => (existsSync(stamp) ? readFileSync(stamp, 'utf8') : '');
  if (current() === sourceHash(root)) return false;
  mkdirSync(lockDir, { recursive: true });
  return withLock(join(lockDir, 'build.lock'), () => {
    const hash = sourceHash(root);
    if (current() === hash) return false; // another run built it while we waited
    execFileSync(process.execPath, [join(root, 'scripts', 'build.mjs')], { cwd: root, stdio: 'inherit' });
    writeFileSync(stamp, hash);
    return true;
  });
}
