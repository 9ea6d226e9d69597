import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { cliEnv } from '../support/run-cli.js';

/**
 * bin/octo.js asks Node (22.1 and later) to keep the bundle's compiled code in octo's cache
 * folder, so the next command does not compile it again; where that folder cannot be written,
 * the command runs as before.
 */

const exec = promisify(execFile);
const octo = join(import.meta.dirname, '..', '..', 'bin', 'octo.js');
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const hasCompileCache = major > 22 || (major === 22 && minor >= 1);

/** A command that loads the bundle and needs no database. */
async function pricing(env: Record<string, string>) {
  return exec(process.execPath, [octo, 'pricing', '--json'], { env: cliEnv(env) });
}

const cacheIn = (dir: string) => join(dir, 'octo', 'node-compile-cache');

describe(`the compile cache on Node ${process.version}`, () => {
  it(hasCompileCache ? 'is written under $XDG_CACHE_HOME/octo and used by the next command' : 'is not asked for (Node < 22.1)', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'octo-xdg-cache-'));
    const first = await pricing({ XDG_CACHE_HOME: xdg });
    expect(JSON.parse(first.stdout)).toEqual(expect.any(Array));
    expect(first.stderr).toBe('');
    if (!hasCompileCache) {
      expect(existsSync(join(xdg, 'octo'))).toBe(false);
      return;
    }
    // Node keeps one folder per runtime (version, architecture), holding one entry per module.
    const [runtime, ...others] = readdirSync(cacheIn(xdg));
    expect(others).toEqual([]);
    expect(runtime).toContain(process.version);
    const entries = readdirSync(join(cacheIn(xdg), runtime ?? '')).sort();
    expect(entries.length).toBeGreaterThan(1);
    // Node's own debug log says whether V8 took the cached code for the bundle's entry.
    const second = await pricing({ XDG_CACHE_HOME: xdg, NODE_DEBUG_NATIVE: 'COMPILE_CACHE' });
    expect(second.stdout).toBe(first.stdout);
    expect(second.stderr).toMatch(/code cache for ESM file:\/\/\S*\/dist\/octo\.js was accepted/);
    expect(readdirSync(join(cacheIn(xdg), runtime ?? '')).sort()).toEqual(entries);
  });

  it('falls back to ~/.cache/octo without XDG_CACHE_HOME', async () => {
    const home = mkdtempSync(join(tmpdir(), 'octo-home-'));
    await pricing({ HOME: home });
    expect(existsSync(cacheIn(join(home, '.cache')))).toBe(hasCompileCache);
  });

  it('never fails a command when the folder cannot be made or written', async () => {
    const parent = mkdtempSync(join(tmpdir(), 'octo-xdg-blocked-'));
    // A regular file where the folder should be: every mkdir below it fails (ENOTDIR), even as root.
    const file = join(parent, 'not-a-folder');
    writeFileSync(file, '');
    const run = await pricing({ XDG_CACHE_HOME: file });
    expect(JSON.parse(run.stdout)).toEqual(expect.any(Array));
    expect(run.stderr).toBe('');
  });

  it('is off with NODE_DISABLE_COMPILE_CACHE=1', async () => {
    const xdg = mkdtempSync(join(tmpdir(), 'octo-xdg-off-'));
    await pricing({ XDG_CACHE_HOME: xdg, NODE_DISABLE_COMPILE_CACHE: '1' });
    expect(existsSync(cacheIn(xdg))).toBe(false);
  });
});
