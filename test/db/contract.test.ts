import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConstraintError } from '../../src/db/connection/errors.js';
import { migrate, migrationStatus, listMigrations } from '../../src/db/connection/migrate.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/databases.js';
import { firstRow } from '../support/defined.js';

/** One contract, three drivers: every driver returns the same shapes and errors. */
describe.each(DRIVERS)('database contract on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    const env = { ...database.env };
    db = await openDatabase(resolveDatabase({ env, dataDir: env.OCTO_DATA_DIR ?? '/nonexistent' }), { env });
    await db.query(`CREATE TABLE contract_items (
      id UUID PRIMARY KEY DEFAULT uuid_generate_v4(),
      name TEXT UNIQUE NOT NULL,
      price DECIMAL(10,4),
      qty INTEGER,
      at TIMESTAMPTZ,
      note TEXT
    )`);
  });

  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('reports which driver it is', () => {
    expect(db.driver).toBe(kind);
    expect(db.label).not.toMatch(/password|@/);
  });

  it('returns DECIMAL and INTEGER as numbers, UUID as string, TIMESTAMPTZ as Date, NULL as null', async () => {
    const at = new Date('2026-03-31T23:59:59.123Z');
    const row = firstRow(
      await db.query('INSERT INTO contract_items (name, price, qty, at, note) VALUES ($1, $2, $3, $4, $5) RETURNING *', ['typed', '0.1250', 7, at, null]),
    );
    expect(row.price).toBe(0.125);
    expect(row.qty).toBe(7);
    expect(row.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(row.at).toBeInstanceOf(Date);
    expect((row.at as Date).toISOString()).toBe(at.toISOString());
    expect(row.note).toBeNull();
    const [sum] = await db.query('SELECT count(*) AS n, sum(price) AS total FROM contract_items');
    expect(sum).toEqual({ n: 1, total: 0.125 });
  });

  it('stores SQL metacharacters literally (parameterised)', async () => {
    const name = "Robert'); DROP TABLE contract_items;--";
    await db.query('INSERT INTO contract_items (name) VALUES ($1)', [name]);
    const rows = await db.query('SELECT name FROM contract_items WHERE name = $1', [name]);
    expect(rows).toEqual([{ name }]);
  });

  it('surfaces a unique violation as a typed error naming its constraint', async () => {
    await db.query('INSERT INTO contract_items (name) VALUES ($1)', ['dup']);
    const error = await db.query('INSERT INTO contract_items (name) VALUES ($1)', ['dup']).catch((e) => e);
    expect(error).toBeInstanceOf(ConstraintError);
    expect(error.isUniqueViolation).toBe(true);
    expect(error.constraint).toBe('contract_items_name_key');
  });

  it('runs a transaction all-or-nothing', async () => {
    const failed = await db
      .transaction([
        { text: 'INSERT INTO contract_items (name) VALUES ($1)', values: ['tx-first'] },
        { text: 'INSERT INTO contract_items (name) VALUES ($1)', values: ['dup'] },
      ])
      .catch((e) => e);
    expect(failed).toBeInstanceOf(ConstraintError);
    expect(await db.query('SELECT name FROM contract_items WHERE name = $1', ['tx-first'])).toEqual([]);

    const results = await db.transaction([
      { text: 'INSERT INTO contract_items (name, qty) VALUES ($1, $2) RETURNING qty', values: ['tx-a', 1] },
      { text: 'INSERT INTO contract_items (name, qty) VALUES ($1, $2) RETURNING qty', values: ['tx-b', 2] },
    ]);
    expect(results).toEqual([[{ qty: 1 }], [{ qty: 2 }]]);
  });

  it('counts one round trip per query', async () => {
    const before = db.roundTrips;
    await db.query('SELECT 1 AS one');
    expect(db.roundTrips - before).toBe(1);
  });

  it('has every migration applied, and migrating again changes nothing', async () => {
    const status = await migrationStatus(db);
    expect(status.pending).toEqual([]);
    expect(status.applied).toEqual(listMigrations().map((m) => m.name));
    expect(await migrate(db)).toEqual([]);
  });

  it('has the seed tables with the seed columns', async () => {
    const rows = await db.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns
       WHERE table_schema = 'public' AND table_name = ANY($1) ORDER BY table_name, ordinal_position`,
      [['users', 'sessions', 'profiles_config', 'video_metadata', 'video_generations']],
    );
    const columns = (table: string) => rows.filter((r) => r.table_name === table).map((r) => r.column_name);
    // The seed's columns come first, in order; octo's migrations only ever add after them.
    expect(columns('users').slice(0, 7)).toEqual(['id', 'email', 'password_hash', 'name', 'email_verified', 'created_at', 'updated_at']);
    expect(columns('sessions').slice(0, 5)).toEqual(['id', 'user_id', 'token_hash', 'expires_at', 'created_at']);
    expect(columns('profiles_config').slice(0, 10)).toEqual([
      'id',
      'user_id',
      'name',
      'endpoint',
      'api_key',
      'deployment',
      'sora_version',
      'is_active',
      'created_at',
      'updated_at',
    ]);
    expect(columns('video_metadata').slice(0, 12)).toEqual([
      'id',
      'user_id',
      'file_id',
      'url',
      'prompt',
      'height',
      'width',
      'duration',
      'sora_version',
      'azure_video_id',
      'created_at',
      'updated_at',
    ]);
    expect(columns('video_generations').slice(0, 15)).toEqual([
      'id',
      'user_id',
      'prompt',
      'sora_model',
      'duration',
      'resolution',
      'variants',
      'generation_mode',
      'estimated_cost',
      'video_id',
      'profile_name',
      'status',
      'job_id',
      'created_at',
      'updated_at',
    ]);
  });
});
