import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildIfChanged, sourceHash, withLock } from '../support/build-once.js';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A project whose build script appends a line to builds.log and writes dist/. */
function project(): string {
  const root = mkdtempSync(join(tmpdir(), 'octo-build-once-'));
  made.push(root);
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, 'scripts'));
  writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(root, 'package.json'), '{}\n');
  writeFileSync(
    join(root, 'scripts', 'build.mjs'),
    `import { appendFileSync, mkdirSync } from 'node:fs';
const root = new URL('..', import.meta.url).pathname;
await new Promise((r) => setTimeout(r, 300));
mkdirSync(root + 'dist', { recursive: true });
appendFileSync(root + 'builds.log', 'built\\n');
`,
  );
  return root;
}
const builds = (root: string) => readFileSync(join(root, 'builds.log'), 'utf8').split('\n').filter(Boolean).length;

describe('test/support/build-once.ts', () => {
  it('builds dist/ only when a source changed (content, not timestamps)', async () => {
    const root = project();
    const cache = join(root, '.octo-test');
    expect(await buildIfChanged(root, cache)).toBe(true);
    expect(await buildIfChanged(root, cache)).toBe(false);
    writeFileSync(join(root, 'src', 'a.ts'), 'export const a = 1;\n'); // same content, new mtime
    expect(await buildIfChanged(root, cache)).toBe(false);
    const before = sourceHash(root);
    writeFileSync(join(root, 'src', 'b.ts'), 'export const b = 2;\n');
    expect(sourceHash(root)).not.toBe(before);
    expect(await buildIfChanged(root, cache)).toBe(true);
    expect(builds(root)).toBe(2);
  });

  it('a run that finds another building waits for it and does not build again', async () => {
    const root = project();
    const cache = join(root, '.octo-test');
    // Another run (this pid: alive) holds the build lock.
    mkdirSync(join(cache, 'build.lock'), { recursive: true });
    writeFileSync(join(cache, 'build.lock', 'pid'), String(process.pid));
    const waiting = buildIfChanged(root, cache);
    await new Promise((r) => setTimeout(r, 500));
    // It finishes: dist/ and its stamp are written, the lock released.
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'dist', '.source-hash'), sourceHash(root));
    rmSync(join(cache, 'build.lock'), { recursive: true });
    expect(await waiting).toBe(false);
    expect(() => builds(root)).toThrow(/ENOENT/);
  });

  it('never lets two holders of a lock overlap', async () => {
    const root = project();
    const events: string[] = [];
    const hold = (name: string) =>
      withLock(join(root, 'x.lock'), async () => {
        events.push(`${name} in`);
        await new Promise((r) => setTimeout(r, 100));
        events.push(`${name} out`);
      });
    await Promise.all([hold('a'), hold('b')]);
    expect(events).toEqual(['a in', 'a out', 'b in', 'b out']);
  });

  it('takes over a lock whose holder died', async () => {
    const root = project();
    const lock = join(root, 'stale.lock');
    mkdirSync(lock);
    writeFileSync(join(lock, 'pid'), '999999999'); // no such process
    expect(await withLock(lock, () => 'ran', 5_000)).toBe('ran');
  });
});
