import { until } from '../support/until.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { takeCreateTurn } from '../../src/db/tables/pacing.js';
import { openPg } from '../../src/db/connection/pg-driver.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';

/**
 * A process frozen inside a transaction (a laptop closed, a machine lost from the network, a
 * SIGSTOP) holds its row locks for as long as the server keeps its connection: the resource's
 * pacing row, which every octo process of every user on that resource must update to create.
 * Found by attack10: a batch stopped mid-run left `jobs wait --all` of the same user blocked for
 * 10 minutes on `INSERT INTO octo_create_pacing`. octo's transactions never wait on the client
 * between statements, so the server ends one left idle for long (the lock is freed).
 */

/**
 * A pg client that goes silent for 12 s right after the statement taking the pacing row's lock,
 * then carries on (the laptop is opened again).
 */
class FreezesInPacing extends pg.Client {
  override query(...args: any[]): any {
    const text = typeof args[0] === 'string' ? args[0] : '';
    const result = (super.query as (...a: unknown[]) => Promise<unknown>)(...args);
    if (text.includes('UPDATE octo_create_pacing')) return result.then((r) => new Promise((done) => setTimeout(() => done(r), 12_000)));
    return result;
  }
}

describe.skipIf(!postgresReachable())('a process frozen inside a transaction on pg', () => {
  let database: TestDatabase;
  const dbs: Db[] = [];
  const open = async (config: pg.PoolConfig = {}) => {
    const db = await openPg({ label: 'test', key: 'test', config: { connectionString: database.inspectUrl, ...config } });
    dbs.push(db);
    return db;
  };
  beforeAll(async () => {
    database = await createTestDatabase('pg');
  }, 60_000);
  afterAll(async () => {
    // Whatever is still frozen is ended here (a failed run), so the pools and the database go.
    const admin = new pg.Client({ connectionString: database.inspectUrl });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()`);
    await admin.end();
    for (const db of dbs) await Promise.race([db.close(), new Promise((r) => setTimeout(r, 1_000))]);
    await database?.drop();
  });

  it("does not stop every other process's creates on the resource: its transaction is ended, the lock freed", async () => {
    const frozen = await open({ Client: FreezesInPacing });
    const other = await open();
    const resource = `frozen.example/sora-2-${Date.now()}`;
    const thawed = takeCreateTurn(frozen, { resource, owner: 'frozen', pace: 10 }).then(
      () => 'granted',
      (error: Error) => error.message,
    );
    // The frozen one holds the row (idle in transaction) before the other asks.
    const admin = new pg.Client({ connectionString: database.inspectUrl });
    await admin.connect();
    try {
      const holding = async () => {
        const { rows } = await admin.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE '%UPDATE octo_create_pacing%'`,
        );
        return rows[0].n > 0;
      };
      await until(holding, 10_000, 'the frozen process to hold the pacing row');
    } finally {
      await admin.end();
    }
    const started = Date.now();
    const turn = await Promise.race([
      takeCreateTurn(other, { resource, owner: 'other', pace: 10 }),
      new Promise<'blocked'>((r) => setTimeout(() => r('blocked'), 15_000).unref()),
    ]);
    expect(turn === 'blocked' ? turn : turn.granted).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000);
    // Thawed, the frozen process finds its transaction gone: an error of the statement (its lines
    // are left to the others), not an unhandled 'error' event that kills it with a stack trace.
    expect(await thawed).toMatch(/idle-in-transaction|terminated|not queryable/);
  }, 60_000);
});
