import { execFile, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive } from '../../src/db/connection/embedded/process-identity.js';
import { embeddedDataDir, stopEmbeddedServer } from '../support/databases.js';

const run = promisify(execFile);
const root = join(import.meta.dirname, '..', '..');

/**
 * octo upgraded (or rebuilt) while its embedded server runs, on a copy of the built package so the
 * server entry's build stamp (its mtime) can change without touching the other test files' servers.
 */
describe('the embedded server across an octo upgrade', () => {
  let pkg: string;
  const dataDirs: string[] = [];
  const entry = () => join(pkg, 'dist', 'embedded-server.js');
  const env = (dir: string) => ({ ...process.env, OCTO_DATA_DIR: dir, OCTO_CONFIG_DIR: join(dir, 'config'), OCTO_DATABASE_URL: '', DATABASE_URL: '' });
  const newBuild = () => {
    const later = new Date(Date.now() + 1000 + Math.floor(Math.random() * 1000));
    utimesSync(entry(), later, later);
  };
  const status = async (dir: string) => {
    const { stdout } = await run(process.execPath, [join(pkg, 'bin', 'octo.js'), 'db', 'status', '--json'], { env: env(dir) });
    return JSON.parse(stdout) as { server: { pid: number } | null };
  };

  beforeAll(() => {
    pkg = mkdtempSync(join(tmpdir(), 'octo-upgrade-'));
    for (const part of ['bin', 'dist', 'scripts', 'package.json']) cpSync(join(root, part), join(pkg, part), { recursive: true });
    symlinkSync(join(root, 'node_modules'), join(pkg, 'node_modules'));
  });
  afterAll(async () => {
    for (const dir of dataDirs) {
      await stopEmbeddedServer(dir);
      rmSync(dir, { recursive: true, force: true });
    }
    rmSync(pkg, { recursive: true, force: true });
  });

  it("a server of the build before is stopped by the next command, which starts the new build's", async () => {
    const dir = embeddedDataDir();
    dataDirs.push(dir);
    const before = (await status(dir)).server?.pid;
    expect(before).toBeGreaterThan(0);
    newBuild();
    const after = (await status(dir)).server?.pid;
    expect(after).toBeGreaterThan(0);
    expect(after).not.toBe(before);
    expect(isAlive(before!)).toBe(false);
    expect(readFileSync(join(dir, 'server.log'), 'utf8')).toContain('stopping');
  });

  it('octo rebuilt while a command starts the server: the command goes on with the server it started', async () => {
    const dir = embeddedDataDir();
    dataDirs.push(dir);
    mkdirSync(dir, { recursive: true });
    // The build stamp changes all through the start: the server records a later one than the
    // command saw when it began (it waited for that one until its 2-minute start timeout).
    const child = spawn(process.execPath, [join(pkg, 'bin', 'octo.js'), 'db', 'status', '--json'], { env: env(dir), stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let done = false;
    void exited.then(() => (done = true));
    const bumping = (async () => {
      while (!done) {
        newBuild();
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    // A hang shows as this bound passing, far beyond a start (1–5 s), far short of the old 120 s.
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still starting after 40 s'), 40_000).unref())]);
    child.kill('SIGKILL');
    done = true;
    await bumping;
    expect(code).toBe(0);
    expect(JSON.parse(stdout).server.pid).toBeGreaterThan(0);
  }, 60_000);
});
