import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../../src/db/connection/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { openOwnDb, sql } from '../auth/helpers.js';
import { firstRow } from '../support/defined.js';

/** Migration 010 on a database the web app filled before the rules existed. */
describe('migration 010 (one active profile, unique names)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('pg');
    await sql(database, 'DROP INDEX profiles_config_user_name');
    await sql(database, 'ALTER TABLE profiles_config DROP CONSTRAINT profiles_config_one_active');
    await sql(database, `DELETE FROM schema_migrations WHERE name = '010_profiles_one_active'`);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('repairs duplicate active profiles and duplicate names, then enforces both', async () => {
    const user = firstRow(await sql<{ id: string }>(database, `INSERT INTO users (email, password_hash) VALUES ('dup@x.io', 'x') RETURNING id`));
    const insert = (name: string, active: boolean, updated: string) =>
      sql(
        database,
        `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, is_active, created_at, updated_at)
         VALUES ($1, $2, 'https://x.openai.azure.com', 'k', 'd', $3, $4, $4)`,
        [user.id, name, active, updated],
      );
    await insert('a', true, '2025-01-01T00:00:00Z');
    await insert('a', true, '2025-03-01T00:00:00Z');
    await insert('b', true, '2025-02-01T00:00:00Z');

    const db = await openOwnDb(database);
    try {
      expect(await migrate(db)).toEqual(['010_profiles_one_active']);
    } finally {
      await db.close();
    }
    const rows = await sql<{ name: string; is_active: boolean; updated_at: Date }>(
      database,
      'SELECT name, is_active, updated_at FROM profiles_config ORDER BY created_at',
    );
    expect(rows.map((r) => [r.name.replace(/ \([0-9a-f]{8}\)$/, ' (id)'), r.is_active])).toEqual([
      ['a', false],
      ['b', false],
      ['a (id)', true],
    ]);
    const dupName = await sql(database, `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment) VALUES ($1, 'b', 'e', 'k', 'd')`, [
      user.id,
    ]).catch((e) => e);
    expect(dupName.code).toBe('23505');
    const twoActive = await sql(database, `UPDATE profiles_config SET is_active = TRUE WHERE user_id = $1`, [user.id]).catch((e) => e);
    expect(twoActive.code).toBe('23P01');
  });
});
