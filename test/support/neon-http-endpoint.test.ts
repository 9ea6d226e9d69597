import { randomBytes } from 'node:crypto';
import { neon, neonConfig, NeonDbError, type NeonQueryFunction } from '@neondatabase/serverless';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNeonHttpEndpoint, type NeonHttpEndpoint } from './neon-http-endpoint.js';
import { firstRow } from './defined.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' };

async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ ...PG, connectionTimeoutMillis: 2000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (err) {
    console.warn(`[neon-http-endpoint.test] skipping: Postgres at ${PG.host}:${PG.port} is not reachable (${(err as Error).message})`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

const reachable = await postgresReachable();

describe.skipIf(!reachable)('neon-http-endpoint with the real @neondatabase/serverless HTTP driver', () => {
  const dbName = `octo_neon_${randomBytes(6).toString('hex')}`;
  let endpoint: NeonHttpEndpoint;
  let sql: NeonQueryFunction<false, false>;
  const previousFetchEndpoint = neonConfig.fetchEndpoint;

  async function admin(text: string): Promise<void> {
    const client = new pg.Client(PG);
    await client.connect();
    try {
      await client.query(text);
    } finally {
      await client.end();
    }
  }

  beforeAll(async () => {
    await admin(`CREATE DATABASE ${dbName}`);
    endpoint = await startNeonHttpEndpoint({ target: { host: PG.host, port: PG.port } });
    // The driver calls fetchEndpoint(host, port, { jwtAuth }) and POSTs to the returned URL as-is
    // (the default would be https://api.<host minus first label>/sql).
    neonConfig.fetchEndpoint = () => `${endpoint.url}/sql`;
    // Any hostname works: the endpoint keeps user/password/database and redirects host/port.
    sql = neon(`postgres://postgres@db.localtest.neon.tech/${dbName}`);
    await sql`CREATE TABLE items (id serial PRIMARY KEY, name text NOT NULL CONSTRAINT items_name_key UNIQUE)`;
  });

  afterAll(async () => {
    neonConfig.fetchEndpoint = previousFetchEndpoint;
    await endpoint?.close();
    await admin(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  });

  it('round-trips a SELECT with params and counts one request per query', async () => {
    const before = endpoint.requests;
    const rows = await sql`SELECT ${'hello'}::text AS greeting, ${41}::int4 + 1 AS answer`;
    expect(rows).toEqual([{ greeting: 'hello', answer: 42 }]);
    expect(endpoint.requests - before).toBe(1);

    const viaQuery = await sql.query('SELECT $1::text || $2::text AS joined', ['a', 'b']);
    expect(viaQuery).toEqual([{ joined: 'ab' }]);
  });

  it('returns text values that the driver parses like pg does', async () => {
    const row = firstRow(
      await sql`
      SELECT 7::int4 AS i,
             12.50::numeric AS n,
             '2024-05-06T07:08:09.123Z'::timestamptz AS ts,
             '0b6c8c1e-2f0e-4d8a-9d1a-6f9f6c0f7a11'::uuid AS u,
             NULL::text AS nothing,
             true AS b,
             '{"k":[1,2]}'::jsonb AS j,
             ARRAY[1,2,3]::int4[] AS arr`,
    );
    expect(row.i).toBe(7);
    expect(row.n).toBe('12.50');
    expect(row.ts).toBeInstanceOf(Date);
    expect((row.ts as Date).toISOString()).toBe('2024-05-06T07:08:09.123Z');
    expect(row.u).toBe('0b6c8c1e-2f0e-4d8a-9d1a-6f9f6c0f7a11');
    expect(row.nothing).toBeNull();
    expect(row.b).toBe(true);
    expect(row.j).toEqual({ k: [1, 2] });
    expect(row.arr).toEqual([1, 2, 3]);
  });

  it('supports arrayMode and fullResults', async () => {
    const rows = await sql.query('SELECT 1 AS a, 2 AS a', [], { arrayMode: true });
    expect(rows).toEqual([[1, 2]]);

    const full = await sql.query("SELECT 'x' AS name", [], { fullResults: true });
    expect(full.command).toBe('SELECT');
    expect(full.rowCount).toBe(1);
    expect(full.rows).toEqual([{ name: 'x' }]);
    expect(full.fields[0]).toMatchObject({ name: 'name', dataTypeID: 25, format: 'text' });
  });

  it('runs sql.transaction() atomically in one HTTP request', async () => {
    let before = endpoint.requests;
    const [inserted, counted] = await sql.transaction([
      sql`INSERT INTO items (name) VALUES (${'tx-ok'}) RETURNING name`,
      sql`SELECT count(*)::int AS c FROM items WHERE name = ${'tx-ok'}`,
    ]);
    expect(endpoint.requests - before).toBe(1);
    expect(inserted).toEqual([{ name: 'tx-ok' }]);
    expect(counted).toEqual([{ c: 1 }]);

    before = endpoint.requests;
    const failing = sql.transaction([sql`INSERT INTO items (name) VALUES (${'tx-undone'})`, sql`SELECT 1 / ${0}::int AS boom`], {
      isolationLevel: 'Serializable',
    });
    await expect(failing).rejects.toMatchObject({ name: 'NeonDbError', code: '22012' });
    expect(endpoint.requests - before).toBe(1);

    const left = await sql`SELECT count(*)::int AS c FROM items WHERE name = ${'tx-undone'}`;
    expect(left).toEqual([{ c: 0 }]);
  });

  it('honours read-only batches', async () => {
    const attempt = sql.transaction([sql`INSERT INTO items (name) VALUES (${'ro'})`], { readOnly: true });
    await expect(attempt).rejects.toMatchObject({ code: '25006' });
  });

  it('surfaces a unique violation as NeonDbError with code and constraint', async () => {
    await sql`INSERT INTO items (name) VALUES (${'dup'})`;
    const err = await sql`INSERT INTO items (name) VALUES (${'dup'})`.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NeonDbError);
    expect(err).toMatchObject({
      code: '23505',
      constraint: 'items_name_key',
      table: 'items',
      schema: 'public',
      severity: 'ERROR',
    });
    expect((err as NeonDbError).detail).toContain('(name)=(dup)');
  });

  it('rejects multi-statement strings like Neon (extended protocol only)', async () => {
    await expect(sql.query('SELECT 1; SELECT 2')).rejects.toMatchObject({ code: '42601' });
  });
});
