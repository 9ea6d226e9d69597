import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { embeddedLayout } from '../../src/db/connection/embedded/layout.js';
import { isAlive } from '../../src/db/connection/embedded/process-identity.js';
import { adminUrl } from './global-setup.js';
import { startNeonHttpEndpoint, type NeonHttpEndpoint } from './neon-http-endpoint.js';

/**
 * A fresh database for one test file, on each driver octo has:
 * - `pg`: a new database on the local Postgres (OCTO_TEST_DATABASE_URL), or, where no server
 *   is reachable, on a PGlite embedded server (said once by the global setup);
 * - `neon`: the same, reached through the real Neon HTTP driver and a local Neon endpoint;
 * - `embedded`: a private OCTO_DATA_DIR copied from a migrated template.
 * `env` holds what to pass to octo so it uses that database.
 */

export type DriverKind = 'pg' | 'neon' | 'embedded';
export const DRIVERS: DriverKind[] = ['embedded', 'pg', 'neon'];

export interface TestDatabase {
  kind: DriverKind;
  env: Record<string, string>;
  /** A `pg` connection string to inspect the database directly (psql-like checks). */
  inspectUrl: string;
  /** With OCTO_TEST_MEMBERS=1 (pg, neon): `env` is a member role's; this is the owner's. */
  ownerEnv?: Record<string, string>;
  /** HTTP requests the Neon endpoint served (round trips), for `neon` only. */
  neonRequests?: () => number;
  /** Stops what was started and drops what was made. */
  drop(): Promise<void>;
}

export function postgresReachable(): boolean {
  return inject('postgresReachable');
}

/** An embedded data folder with a migrated database (copied from the template). */
export function embeddedDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'octo-data-'));
  cpSync(join(inject('embeddedTemplate'), 'pgdata'), join(dir, 'pgdata'), { recursive: true });
  return dir;
}

export async function stopEmbeddedServer(dataDir: string): Promise<void> {
  let pid: number;
  try {
    pid = (JSON.parse(readFileSync(embeddedLayout(dataDir).stateFile, 'utf8')) as { pid: number }).pid;
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  // isAlive: a stopped server left a zombie (its parent, init, may not reap) is stopped.
  for (let i = 0; i < 100 && isAlive(pid); i += 1) await new Promise((r) => setTimeout(r, 50));
}

/** Starts an embedded server on a fresh data folder; returns a pg URL to its socket. */
async function embeddedPostgres(): Promise<{ url: string; host: string; dataDir: string }> {
  const dataDir = embeddedDataDir();
  const { ensureServer } = await import('../../src/db/connection/embedded/connect.js');
  const state = await ensureServer({ dataDir, idleMs: 10 * 60_000 });
  return { url: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(state.socketDir)}`, host: state.socketDir, dataDir };
}

const BASE_ENV = { OCTO_SERVER_IDLE_MS: '120000' };

/**
 * OCTO_TEST_MEMBERS=1 runs the suite in member mode (issue 11): pg and neon databases get
 * `db members enable` with a role of their own, and octo is given the member URL.
 */
export async function createTestDatabase(kind: DriverKind): Promise<TestDatabase> {
  const database = await createOwnedDatabase(kind);
  if (kind === 'embedded' || process.env.OCTO_TEST_MEMBERS !== '1') return database;
  const { enableMembersOn, dropMemberRole } = await import('./members.js');
  const members = await enableMembersOn(database);
  return {
    ...database,
    env: members.env,
    ownerEnv: database.env,
    drop: async () => {
      await database.drop();
      await dropMemberRole(members.role);
    },
  };
}

export async function createOwnedDatabase(kind: DriverKind): Promise<TestDatabase> {
  if (kind === 'embedded') {
    const dataDir = embeddedDataDir();
    const layout = embeddedLayout(dataDir);
    return {
      kind,
      env: { ...BASE_ENV, OCTO_DATA_DIR: dataDir, OCTO_DATABASE_URL: '', DATABASE_URL: '', OCTO_DB_DRIVER: '' },
      inspectUrl: `postgres://postgres@localhost/postgres?host=${encodeURIComponent(layout.socketDir)}`,
      drop: async () => {
        await stopEmbeddedServer(dataDir);
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  }

  let url: string;
  let cleanup: () => Promise<void>;
  let target: { host: string; port: number };
  if (postgresReachable()) {
    const name = `octo_test_${randomBytes(6).toString('hex')}`;
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const parsed = new URL(adminUrl());
    parsed.pathname = `/${name}`;
    url = parsed.toString();
    target = { host: parsed.hostname, port: Number(parsed.port || 5432) };
    cleanup = async () => {
      const client = new pg.Client({ connectionString: adminUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    };
  } else {
    const embedded = await embeddedPostgres();
    url = embedded.url;
    target = { host: embedded.host, port: 5432 };
    cleanup = async () => {
      await stopEmbeddedServer(embedded.dataDir);
      rmSync(embedded.dataDir, { recursive: true, force: true });
    };
  }

  // Migrate it the way a user would, through octo's own runner.
  const { openPg } = await import('../../src/db/connection/pg-driver.js');
  const { migrate } = await import('../../src/db/connection/migrate.js');
  const db = await openPg({ label: 'test', key: 'test', config: { connectionString: url } });
  await migrate(db);
  await db.close();

  if (kind === 'pg') {
    return { kind, env: { ...BASE_ENV, OCTO_DATABASE_URL: url, OCTO_DB_DRIVER: '' }, inspectUrl: url, drop: cleanup };
  }

  const endpoint: NeonHttpEndpoint = await startNeonHttpEndpoint({ target });
  const database = postgresReachable() ? new URL(url).pathname.slice(1) : 'postgres';
  return {
    kind,
    env: {
      ...BASE_ENV,
      OCTO_DATABASE_URL: `postgres://postgres@ep-test.localtest.neon.tech/${database}`,
      OCTO_DB_DRIVER: 'neon',
      OCTO_NEON_FETCH_ENDPOINT: endpoint.url,
    },
    inspectUrl: url,
    neonRequests: () => endpoint.requests,
    drop: async () => {
      await endpoint.close();
      await cleanup();
    },
  };
}
