import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureServer, openEmbedded } from '../../src/db/connection/embedded/connect.js';
import { currentBuild, embeddedLayout, type ServerState } from '../../src/db/connection/embedded/layout.js';
import { isAlive } from '../../src/db/connection/embedded/process-identity.js';
import { embeddedDataDir, stopEmbeddedServer } from '../support/databases.js';

const run = promisify(execFile);
const octo = join(import.meta.dirname, '..', '..', 'bin', 'octo.js');
const dirs: string[] = [];
const children: { kill(signal?: NodeJS.Signals): boolean }[] = [];

function track(dir: string): string {
  dirs.push(dir);
  return dir;
}

const readState = (dir: string) => JSON.parse(readFileSync(embeddedLayout(dir).stateFile, 'utf8')) as ServerState;

function memoryOf(pid: number): { rssMb: number; hwmMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]);
  return { rssMb: kb('VmRSS') / 1024, hwmMb: kb('VmHWM') / 1024 };
}

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const cliEnv = (dir: string) => ({
  ...process.env,
  OCTO_DATA_DIR: dir,
  OCTO_CONFIG_DIR: join(dir, 'config'),
  OCTO_DATABASE_URL: '',
  DATABASE_URL: '',
});

function deadOrZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Every file and folder under `dir` that group or others could read (sockets aside). */
function readableByOthers(dir: string): string[] {
  const found: string[] = [];
  const walk = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSocket() || stat.isSymbolicLink()) return;
    if ((stat.mode & 0o077) !== 0) found.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
  return found;
}

afterEach(async () => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
  for (const dir of dirs.splice(0)) {
    await stopEmbeddedServer(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('embedded server: size and first run (issue 15)', () => {
  // The targets (RSS ≤ 150 MB, peak ≤ 300 MB) are the bench's (scripts/bench/embedded.mjs): they sit
  // at the limit and move with the runtime (151–152 MB on Node 26) and the machine's load. This test
  // holds only a wide bound that the issue-15 regression (~500 MB resident, ~820 MB peak) still breaks.
  it('creates a new database from the built template and stays small: RSS ≤ 300 MB, peak ≤ 500 MB (the bench holds the targets)', async () => {
    const dir = track(mkdtempSync(join(tmpdir(), 'octo-fresh-')));
    const db = await openEmbedded({ dataDir: dir });
    try {
      expect(await db.query('SELECT count(*)::int AS n FROM schema_migrations')).not.toEqual([{ n: 0 }]);
      expect(await db.query('SHOW shared_buffers')).toEqual([{ shared_buffers: '16MB' }]);
      await db.query('CREATE TABLE filler AS SELECT i, md5(i::text) AS h FROM generate_series(1, 100000) AS i');
      await db.query('SELECT h, count(*) FROM filler GROUP BY h ORDER BY 2 DESC LIMIT 5');
    } finally {
      await db.close();
    }
    expect(readFileSync(embeddedLayout(dir).logFile, 'utf8')).toMatch(/created the database from the template/);
    const { rssMb, hwmMb } = memoryOf(readState(dir).pid);
    expect(rssMb).toBeLessThanOrEqual(300);
    expect(hwmMb).toBeLessThanOrEqual(500);
  });

  it('db status shows the server (pid, memory, idle time) and db stop stops it', async () => {
    const dir = track(embeddedDataDir());
    const env = cliEnv(dir);
    const status = JSON.parse((await run(process.execPath, [octo, 'db', 'status', '--json'], { env })).stdout);
    const { pid } = readState(dir);
    expect(status.server).toMatchObject({ pid, connections: expect.any(Number), idle_seconds: expect.any(Number) });
    expect(status.server.rss_mb).toBeGreaterThan(10);
    expect(status.server.peak_rss_mb).toBeGreaterThanOrEqual(status.server.rss_mb);

    const stopped = JSON.parse((await run(process.execPath, [octo, 'db', 'stop', '--json'], { env })).stdout);
    expect(stopped).toEqual({ stopped: true, pid });
    expect(isAlive(pid)).toBe(false);
    expect(existsSync(embeddedLayout(dir).stateFile)).toBe(false);
    const again = JSON.parse((await run(process.execPath, [octo, 'db', 'stop', '--json'], { env })).stdout);
    expect(again).toEqual({ stopped: false, pid: null });
  });
});

describe('embedded server: crashes and stale state (issue 10)', () => {
  it('restarts a server killed mid-batch (even one left a zombie) and the statements go on', async () => {
    const dir = track(embeddedDataDir());
    // Started by a command that has exited: the server's parent is init, which here may never
    // reap it, so after kill -9 it lingers as a zombie that kill(pid, 0) still finds.
    await run(process.execPath, [octo, 'db', 'status'], { env: cliEnv(dir) });
    const db = await openEmbedded({ dataDir: dir });
    const { pid } = readState(dir);
    const written: number[] = [];
    const errors: string[] = [];
    try {
      await db.query('CREATE TABLE batch (line INTEGER)');
      for (let line = 1; line <= 30; line += 1) {
        if (line === 10) {
          process.kill(pid, 'SIGKILL');
          // Go on as soon as it is dead, reaped or not (init here reaps only now and then).
          await waitFor(() => deadOrZombie(pid));
        }
        try {
          await db.query('INSERT INTO batch VALUES ($1)', [line]);
          written.push(line);
        } catch (error) {
          // At most the one statement sent into the dying server may fail (asserted below).
          errors.push(`line ${line}: ${(error as Error).message} (${(error as { cause?: { code?: string } }).cause?.code ?? ''})`);
        }
      }
      const rows = await db.query<{ line: number }>('SELECT line FROM batch ORDER BY line');
      // Only the statement sent on a connection the kill dropped may fail (it may have run, so it is
      // never retried). The pool's other connections died with it: the next statement goes to a new
      // pool (once it failed too, 2 in ~25 runs under load, on a second stale idle connection).
      expect(written.length, errors.join('\n')).toBeGreaterThanOrEqual(29);
      expect(
        errors.every((e) => /^line 10:/.test(e)),
        errors.join('\n'),
      ).toBe(true);
      expect(rows.map((r) => r.line)).toEqual(written);
    } finally {
      await db.close();
    }
    expect(readState(dir).pid).not.toBe(pid);
  });

  it('restarts once for a batch whose workers all find the server killed at once; only statements sent while it died fail', async () => {
    const dir = track(embeddedDataDir());
    await run(process.execPath, [octo, 'db', 'status'], { env: cliEnv(dir) });
    const db = await openEmbedded({ dataDir: dir });
    const { pid } = readState(dir);
    const errors: string[] = [];
    const written = new Set<string>();
    try {
      await db.query('CREATE TABLE batch (worker INTEGER, line INTEGER)');
      // Every worker waits for the death before its line 6, however the workers interleave: a
      // worker that got ahead must not send line 6 into a server that is still alive and about
      // to be killed (the race that made this test fail now and then).
      let dead!: () => void;
      const killed = new Promise<void>((resolve) => {
        dead = resolve;
      });
      let afterDeath = 0;
      const worker = async (w: number) => {
        for (let line = 1; line <= 15; line += 1) {
          if (line === 5 && w === 0) {
            process.kill(pid, 'SIGKILL');
            void waitFor(() => deadOrZombie(pid)).then(dead);
          }
          if (line === 6) await killed;
          try {
            await db.query('INSERT INTO batch VALUES ($1, $2)', [w, line]);
            written.add(`${w}:${line}`);
          } catch (error) {
            errors.push(`worker ${w} line ${line}: ${(error as Error).message}`);
            if (line >= 6) afterDeath += 1;
          }
        }
      };
      await Promise.all([0, 1, 2, 3].map(worker));
      const rows = await db.query<{ worker: number; line: number }>('SELECT worker, line FROM batch');
      const stored = new Set(rows.map((r) => `${r.worker}:${r.line}`));
      // Only statements sent while the server was dying may fail (they may have run before it
      // died: never retried, so stored may hold them too); every statement sent once it is dead
      // restarts it or waits for that restart, and every statement that succeeded is stored.
      expect(afterDeath, errors.join('\n')).toBe(0);
      expect(errors.length, errors.join('\n')).toBeLessThanOrEqual(8);
      for (const key of written) expect(stored.has(key), key).toBe(true);
      expect(stored.size).toBeLessThanOrEqual(60);
    } finally {
      await db.close();
    }
  });

  it('never signals a process that only reuses the pid in a stale server.json or lock', async () => {
    const dir = track(embeddedDataDir());
    const stranger = spawn('sleep', ['300'], { stdio: 'ignore' });
    children.push(stranger);
    const layout = embeddedLayout(dir);
    for (const build of ['an-older-octo', currentBuild()]) {
      writeFileSync(layout.stateFile, JSON.stringify({ pid: stranger.pid, build, socketDir: dir, startedAt: new Date().toISOString() }));
      writeFileSync(layout.lockFile, String(stranger.pid));
      const state = await ensureServer({ dataDir: dir, startTimeoutMs: 30_000 });
      expect(state.pid).not.toBe(stranger.pid);
      expect(isAlive(stranger.pid!)).toBe(true);
      await stopEmbeddedServer(dir);
    }
  });
});

describe('embedded server: private files and socket (issue 12)', () => {
  it('forces an existing 0755 data folder to 0700 and every file in it to 0600', async () => {
    const dir = track(embeddedDataDir());
    const open = (path: string) => {
      const stat = lstatSync(path);
      chmodSync(path, stat.isDirectory() ? 0o755 : 0o666);
      if (stat.isDirectory()) for (const name of readdirSync(path)) open(join(path, name));
    };
    open(dir);
    const db = await openEmbedded({ dataDir: dir });
    try {
      await db.query('CREATE TABLE secrets (api_key TEXT)');
      await db.query('INSERT INTO secrets VALUES ($1)', ['sk-plaintext-key']);
      await db.query('CHECKPOINT');
    } finally {
      await db.close();
    }
    expect(lstatSync(dir).mode & 0o777).toBe(0o700);
    expect(readableByOthers(dir)).toEqual([]);
    await stopEmbeddedServer(dir);
    expect(readableByOthers(dir)).toEqual([]);
  });

  it('puts the socket of a deep data folder in a fresh private folder, never a predictable one', async () => {
    const base = track(mkdtempSync(join(tmpdir(), 'octo-deep-')));
    const dir = join(base, 'a-rather-long-folder-name'.repeat(4), 'data');
    mkdirSync(dir, { recursive: true });
    // Where the socket used to go: someone else could make it first, world-writable.
    const predictable = join(tmpdir(), `octo-${createHash('sha256').update(dir).digest('hex').slice(0, 16)}`);
    mkdirSync(predictable, { recursive: true, mode: 0o777 });
    chmodSync(predictable, 0o777);
    try {
      const db = await openEmbedded({ dataDir: dir });
      expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
      await db.close();
      const { socketDir } = readState(dir);
      expect(socketDir).not.toBe(predictable);
      const stat = lstatSync(socketDir);
      expect(stat.isDirectory()).toBe(true);
      expect(stat.uid).toBe(process.getuid!());
      expect(stat.mode & 0o777).toBe(0o700);
      expect(existsSync(join(socketDir, '.s.PGSQL.5432'))).toBe(true);
      await stopEmbeddedServer(dir);
      expect(existsSync(socketDir)).toBe(false);
    } finally {
      rmSync(predictable, { recursive: true, force: true });
      await stopEmbeddedServer(dir);
    }
  });
});
