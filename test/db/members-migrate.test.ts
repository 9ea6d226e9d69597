import { readFileSync } from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listMigrations, migrate } from '../../src/db/connection/migrate.js';
import type { Db } from '../../src/db/connection/types.js';
import { signedUp, sql } from '../auth/helpers.js';
import { createOwnedDatabase, type TestDatabase } from '../support/databases.js';
import { dropMemberRole, enableMembersOn, openOwner, type Members } from '../support/members.js';

/** Issue 11: `db migrate` keeps the policies current for tables that later migrations add. */
describe('members and later migrations on pg', () => {
  let database: TestDatabase;
  let members: Members;
  let owner: Db;

  beforeAll(async () => {
    database = await createOwnedDatabase('pg');
    members = await enableMembersOn(database);
    owner = await openOwner(database);
  });
  afterAll(async () => {
    await owner?.close();
    await database?.drop();
    if (members) await dropMemberRole(members.role);
  });

  const asMember = async (token: string | null, text: string, values: unknown[] = []) => {
    const client = new pg.Client({ connectionString: members.pgUrl });
    await client.connect();
    try {
      if (token) await client.query(`SELECT set_config('octo.token', $1, false)`, [token]);
      return { rows: (await client.query(text, values)).rows };
    } catch (error) {
      return { refused: (error as { code?: string }).code };
    } finally {
      await client.end();
    }
  };

  it('covers a per-user table, a declared shared one and closes an undeclared one; leaves other functions alone', async () => {
    const later = {
      name: '999_later_tables',
      statements: [
        'CREATE TABLE octo_later_things (id uuid PRIMARY KEY DEFAULT gen_random_uuid(), user_id uuid NOT NULL, note text)',
        'CREATE TABLE octo_later_shared (resource text PRIMARY KEY, n integer)',
        `COMMENT ON TABLE octo_later_shared IS 'per Azure resource; octo-members: shared'`,
        'CREATE TABLE octo_later_private (secret text)',
        `INSERT INTO octo_later_private VALUES ('owner only')`,
        'CREATE FUNCTION octo_later_fn() RETURNS integer LANGUAGE sql AS $$ SELECT 1 $$',
      ],
    };
    expect(await migrate(owner, [...listMigrations(), later])).toEqual(['999_later_tables']);
    const policies = await sql<{ tablename: string }>(database, `SELECT tablename FROM pg_policies WHERE policyname = 'octo_member' ORDER BY 1`);
    expect(policies.map((p) => p.tablename)).toEqual(expect.arrayContaining(['octo_later_things', 'octo_later_shared']));

    const env = { ...members.env, OCTO_KEYRING: 'off' };
    const [alice, bob] = await Promise.all([
      signedUp({ ...database, env }, 'alice@x.io', 'alice pass 1'),
      signedUp({ ...database, env }, 'bob@x.io', 'bob pass 12'),
    ]);
    const ids = Object.fromEntries((await sql<{ email: string; id: string }>(database, 'SELECT email, id FROM users')).map((u) => [u.email, u.id]));
    const token = (user: typeof alice) => /"token":\s*"([A-Za-z0-9_.-]+)"/.exec(readFileSync(`${user.env.OCTO_CONFIG_DIR}/config.json`, 'utf8'))![1]!;
    const [a, b] = [token(alice), token(bob)];

    expect(await asMember(a, 'INSERT INTO octo_later_things (user_id, note) VALUES ($1, $2) RETURNING note', [ids['alice@x.io'], 'mine'])).toEqual({
      rows: [{ note: 'mine' }],
    });
    expect((await asMember(a, 'INSERT INTO octo_later_things (user_id, note) VALUES ($1, $2)', [ids['bob@x.io'], 'forged'])).refused).toBe('42501');
    expect(await asMember(b, 'SELECT note FROM octo_later_things')).toEqual({ rows: [] });
    expect(await asMember(null, 'SELECT note FROM octo_later_things')).toEqual({ rows: [] });
    expect(await asMember(a, 'SELECT note FROM octo_later_things')).toEqual({ rows: [{ note: 'mine' }] });

    expect(await asMember(b, `INSERT INTO octo_later_shared VALUES ('res', 1) RETURNING n`)).toEqual({ rows: [{ n: 1 }] });
    expect(await asMember(a, 'SELECT n FROM octo_later_shared')).toEqual({ rows: [{ n: 1 }] });
    expect(await asMember(a, `DELETE FROM octo_later_shared WHERE resource = 'res' RETURNING n`)).toEqual({ rows: [{ n: 1 }] });

    expect((await asMember(a, 'SELECT secret FROM octo_later_private')).refused).toBe('42501');
    expect(await asMember(a, 'SELECT octo_later_fn() AS one')).toEqual({ rows: [{ one: 1 }] });
  });
});
