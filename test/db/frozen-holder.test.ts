import { until } from '../support/until.js';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { takeCreateTurn } from '../../src/db/tables/pacing.js';
import { openPg } from '../../src/db/connection/pg-driver.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';

/**
 * A process frozen inside a transaction (a laptop closed, a machine lost from the network, a
 * SIGSTOP) holds its row locks for as long as the server keeps its connection: the resource's
 * pacing row, which every octo process of every user on that resource must update to create.
 * Found by attack10: a batch stopped mid-run left `jobs wait --all` of the same user blocked for
 * 10 minutes on `INSERT INTO octo_create_pacing`. A create turn is now one statement (a function
 * of the database), so a process that freezes after sending it holds nothing; and octo's
 * transactions never wait on the client between statements, so the server ends one left idle for
 * long (the lock is freed).
 */

/**
 * A pg client that goes silent for 12 s right after its create turn's statement, then carries on
 * (the laptop is opened again).
 */
class FreezesInPacing extends pg.Client {
  override query(...args: any[]): any {
    const text = typeof args[0] === 'string' ? args[0] : String(args[0]?.text ?? '');
    if (!text.includes('octo_pacing_take') && !text.includes('/* freeze here */')) return (super.query as (...a: unknown[]) => unknown)(...args);
    // The pool passes a callback; a direct caller awaits the promise.
    const callback = typeof args.at(-1) === 'function' ? (args.pop() as (error: unknown, result?: unknown) => void) : undefined;
    const answered = (super.query as (...a: unknown[]) => Promise<unknown>)(...args).then((r) => {
      froze = true;
      return new Promise((done) => setTimeout(() => done(r), 12_000));
    });
    if (!callback) return answered;
    answered.then(
      (r) => callback(null, r),
      (error) => callback(error),
    );
    return undefined;
  }
}
let froze = false;

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

  beforeEach(() => {
    froze = false;
  });

  it("does not stop every other process's creates on the resource: it holds nothing while frozen", async () => {
    const frozen = await open({ Client: FreezesInPacing });
    const other = await open();
    const resource = `frozen.example/sora-2-${Date.now()}`;
    const thawed = takeCreateTurn(frozen, { resource, owner: 'frozen', pace: 10 }).then(
      () => 'granted',
      (error: Error) => error.message,
    );
    await until(() => froze, 10_000, 'the process to freeze after its create turn');
    // Nothing of it is left open on the server: no transaction idles holding the pacing row.
    const admin = new pg.Client({ connectionString: database.inspectUrl });
    await admin.connect();
    try {
      const { rows } = await admin.query(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND state LIKE 'idle in transaction%'`,
      );
      expect(rows[0].n).toBe(0);
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
    // Thawed, the frozen process carries on with the turn it was granted.
    expect(await thawed).toBe('granted');
  }, 60_000);

  it('a transaction left idle by a frozen process is ended by the server, its locks freed', async () => {
    const frozen = await open({ Client: FreezesInPacing });
    const other = await open();
    await other.query('CREATE TABLE IF NOT EXISTS frozen_rows (id int PRIMARY KEY, n int)');
    await other.query('INSERT INTO frozen_rows VALUES (1, 0) ON CONFLICT (id) DO NOTHING');
    const thawed = frozen.transaction([{ text: 'UPDATE frozen_rows SET n = n + 1 WHERE id = 1 /* freeze here */' }, { text: 'SELECT 1' }]).then(
      () => 'committed',
      (error: Error) => error.message,
    );
    await until(() => froze, 10_000, 'the process to freeze inside its transaction');
    // The row it locked is free again once the server has ended the idle transaction.
    expect(await other.query('UPDATE frozen_rows SET n = n + 10 WHERE id = 1 RETURNING n')).toEqual([{ n: 10 }]);
    // Thawed, the frozen process finds its transaction gone: an error of the statement, not an
    // unhandled 'error' event that kills it with a stack trace.
    expect(await thawed).toMatch(/idle-in-transaction|terminated|not queryable/);
  }, 60_000);
});
