import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
});
