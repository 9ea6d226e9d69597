import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { build } from 'esbuild';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { lockOwner, releaseLock, tryLock } from '../../src/db/connection/embedded/lock.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = mkdtempSync(join(tmpdir(), 'octo-lock-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("the embedded server's lock file", () => {
  it('is taken whole (its pid in it from the start), refused while its owner lives, taken over once it is gone', () => {
    const dir = fresh();
    const path = join(dir, 'server.lock');
    expect(tryLock(path, 1001, () => true)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('1001');
    // Nothing else is left beside it (the whole-file copy it was linked from).
    expect(readdirSync(dir)).toEqual(['server.lock']);
    expect(tryLock(path, 1002, (owner) => owner === 1001)).toBe(false);
    expect(lockOwner(path)).toBe(1001);
    // Its owner is dead (or the pid now names another program): taken over.
    expect(tryLock(path, 1002, () => false)).toBe(true);
    expect(lockOwner(path)).toBe(1002);
    releaseLock(path, 1001);
    expect(lockOwner(path)).toBe(1002);
    releaseLock(path, 1002);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an ownerless lock (empty, as a crash between create and write left it) is stale', () => {
    const path = join(fresh(), 'server.lock');
    writeFileSync(path, '');
    expect(tryLock(path, 1003, () => true)).toBe(true);
    expect(lockOwner(path)).toBe(1003);
  });

  it('a stale lock found by several starters at once is taken by one of them, however long each stalls between look and removal', async () => {
    const dir = fresh();
    const path = join(dir, 'server.lock');
    writeFileSync(path, '999999');
    // Each starter is a process of its own; the 150 ms stall in `holds` is where the scheduler can
    // stop one after it found the lock stale and before it removes it (two removed, both won).
    const runner = join(dir, 'starter.mjs');
    await build({
      stdin: {
        contents: `import { tryLock } from ${JSON.stringify(join(import.meta.dirname, '../../src/db/connection/embedded/lock.ts'))};
          import { isAlive } from ${JSON.stringify(join(import.meta.dirname, '../../src/db/connection/embedded/process-identity.ts'))};
          const stall = (owner) => { const until = Date.now() + 150; while (Date.now() < until); return owner !== 999999 && isAlive(owner); };
          const won = tryLock(process.argv[2], process.pid, stall);
          process.stdout.write(won ? 'WON' : 'LOST');
          setTimeout(() => undefined, 1500);`,
        resolveDir: dir,
        loader: 'js',
      },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile: runner,
      logLevel: 'error',
    });
    const outcomes = await Promise.all(
      Array.from({ length: 6 }, () => {
        const child = spawn(process.execPath, [runner, path], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        return new Promise<string>((resolve) => child.once('exit', () => resolve(out)));
      }),
    );
    expect(outcomes.filter((o) => o === 'WON')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'LOST')).toHaveLength(5);
  }, 30_000);
});
