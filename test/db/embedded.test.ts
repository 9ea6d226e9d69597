import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureServer, openEmbedded } from '../../src/db/connection/embedded/connect.js';
import { embeddedLayout, isAlive, type ServerState } from '../../src/db/connection/embedded/layout.js';
import { embeddedDataDir, stopEmbeddedServer } from '../support/databases.js';

const run = promisify(execFile);
const octo = join(import.meta.dirname, '..', '..', 'bin', 'octo.js');
const dirs: string[] = [];

function freshDir(): string {
  const dir = embeddedDataDir();
  dirs.push(dir);
  return dir;
}

const readState = (dir: string) => JSON.parse(readFileSync(embeddedLayout(dir).stateFile, 'utf8')) as ServerState;

const client = (dir: string) => new pg.Client({ host: embeddedLayout(dir).socketDir, port: 5432, user: 'postgres', database: 'postgres' });

async function waitFor(check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}

afterEach(async () => {
  for (const dir of dirs.splice(0)) {
    await stopEmbeddedServer(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

describe('embedded database server', () => {
  it('keeps a transaction to its own connection: another connection waits and is not rolled back with it', async () => {
    const dir = freshDir();
    await ensureServer({ dataDir: dir });
    const a = client(dir);
    const b = client(dir);
    await a.connect();
    await b.connect();
    try {
      await a.query('CREATE TABLE t (v TEXT)');
      await a.query('BEGIN');
      await a.query('INSERT INTO t VALUES ($1)', ['from-a']);
      // B's insert must not run inside A's open transaction.
      const bInsert = b.query('INSERT INTO t VALUES ($1)', ['from-b']);
      await new Promise((r) => setTimeout(r, 100));
      await a.query('ROLLBACK');
      await bInsert;
      const { rows } = await b.query('SELECT v FROM t ORDER BY v');
      expect(rows).toEqual([{ v: 'from-b' }]);
    } finally {
      await a.end();
      await b.end();
    }
  });

  it('runs parameterised statements from many connections at once without mixing them up', async () => {
    const dir = freshDir();
    await ensureServer({ dataDir: dir });
    const clients = Array.from({ length: 4 }, () => client(dir));
    await Promise.all(clients.map((c) => c.connect()));
    try {
      const results = await Promise.all(
        clients.flatMap((c, i) =>
          Array.from({ length: 25 }, (_, j) => c.query('SELECT $1::int AS i, $2::text AS j', [i, `n${j}`]).then((r) => [i, j, r.rows[0]])),
        ),
      );
      for (const [i, j, row] of results as [number, number, { i: number; j: string }][]) {
        expect(row).toEqual({ i, j: `n${j}` });
      }
    } finally {
      await Promise.all(clients.map((c) => c.end()));
    }
  });

  it('loses nothing committed when the server is killed with SIGKILL, and restarts on the next use', async () => {
    const dir = freshDir();
    const db = await openEmbedded({ dataDir: dir });
    await db.query('CREATE TABLE durable (v INTEGER)');
    await db.query('INSERT INTO durable SELECT generate_series(1, 500)');
    await db.close();
    const { pid } = readState(dir);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid));

    const again = await openEmbedded({ dataDir: dir });
    const [row] = await again.query('SELECT count(*) AS n, sum(v) AS total FROM durable');
    await again.close();
    expect(row).toEqual({ n: 500, total: 125250 });
    expect(readState(dir).pid).not.toBe(pid);
  });

  it('takes over a stale lock left by a dead process', async () => {
    const dir = freshDir();
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(embeddedLayout(dir).lockFile, String(dead));
    const db = await openEmbedded({ dataDir: dir });
    expect(await db.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    await db.close();
    expect(readFileSync(embeddedLayout(dir).lockFile, 'utf8')).toBe(String(readState(dir).pid));
  });

  it('replaces a server started by another octo build', async () => {
    const dir = freshDir();
    const first = await ensureServer({ dataDir: dir });
    writeFileSync(embeddedLayout(dir).stateFile, JSON.stringify({ ...first, build: 'an-older-octo' }));
    const second = await ensureServer({ dataDir: dir });
    expect(second.pid).not.toBe(first.pid);
    expect(isAlive(first.pid)).toBe(false);
  });

  it('never lets two servers own one folder', async () => {
    const dir = freshDir();
    const [a, b] = await Promise.all([ensureServer({ dataDir: dir }), ensureServer({ dataDir: dir })]);
    expect(a.pid).toBe(b.pid);
  });

  it('exits after the idle time and cleans up its socket and state', async () => {
    const dir = freshDir();
    const state = await ensureServer({ dataDir: dir, idleMs: 1000 });
    await waitFor(() => !isAlive(state.pid), 15_000);
    const layout = embeddedLayout(dir);
    expect(existsSync(layout.stateFile)).toBe(false);
    expect(existsSync(layout.socketPath)).toBe(false);
    expect(existsSync(layout.lockFile)).toBe(false);
  });

  it('serves two octo processes at once', async () => {
    const dir = freshDir();
    const env = { ...process.env, OCTO_DATA_DIR: dir, OCTO_CONFIG_DIR: join(dir, 'config'), OCTO_DATABASE_URL: '', DATABASE_URL: '' };
    const [one, two] = await Promise.all([
      run(process.execPath, [octo, 'db', 'status', '--json'], { env }),
      run(process.execPath, [octo, 'db', 'status', '--json'], { env }),
    ]);
    expect(JSON.parse(one.stdout).pending).toEqual([]);
    expect(JSON.parse(two.stdout).pending).toEqual([]);
  });
});
