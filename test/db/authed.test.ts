import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/auth/session.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type DriverKind, type TestDatabase } from '../support/databases.js';
import { createUserWithSession } from '../support/users.js';

describe.each(['pg', 'neon'] as DriverKind[])('db.forSession on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let session: Session;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await openDatabase(resolveDatabase({ env: database.env, dataDir: database.env.OCTO_DATA_DIR ?? '/nonexistent' }), { env: database.env });
    ({ session } = await createUserWithSession(db));
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('keeps ISO-looking text as text; only *_at timestamps come back as Date', async () => {
    const [row] = await db.forSession(session).query(
      `SELECT '2026-01-02T03:04:05Z'::text AS prompt, jsonb_build_object('when', '2026-01-02T03:04:05Z') AS tags,
              '2026-01-02T03:04:05+01:00'::text AS note, TIMESTAMPTZ '2026-01-02T03:04:05Z' AS created_at`,
    );
    expect(row?.prompt).toBe('2026-01-02T03:04:05Z');
    expect(row?.note).toBe('2026-01-02T03:04:05+01:00');
    expect(row?.tags).toEqual({ when: '2026-01-02T03:04:05Z' });
    expect(row?.created_at).toBeInstanceOf(Date);
    expect(row?.created_at).toEqual(new Date('2026-01-02T03:04:05Z'));
  });

  it('returns the rows in the order the query gives them, the session row excluded', async () => {
    const rows = await db.forSession(session).query<{ g: number }>('SELECT g FROM generate_series(1, 500) g ORDER BY g DESC');
    expect(rows.map((r) => r.g)).toEqual(Array.from({ length: 500 }, (_, i) => 500 - i));
    expect(await db.forSession(session).query('SELECT 1 AS one WHERE false')).toEqual([]);
    await expect(db.forSession({ ...session, tokenHash: 'not-the-hash' }).query('SELECT 1 AS one')).rejects.toThrow(/expired or was revoked/);
  });

  it("numbers the caller's parameters from $1 and checks the session in the same round trip", async () => {
    const before = db.roundTrips;
    const [row] = await db
      .forSession(session)
      .query<{ sum: number; mine: boolean }>('SELECT $1::int + $2::int AS sum, (SELECT user_id FROM auth) = $3::uuid AS mine', [2, 3, session.userId]);
    expect(row).toEqual({ sum: 5, mine: true });
    expect(db.roundTrips - before).toBe(1);
    await expect(db.forSession({ ...session, tokenHash: 'not-the-hash' }).query('SELECT $1::int AS one', [1])).rejects.toThrow(/expired or was revoked/);
  });

  it('refuses a statement whose parameters do not match its values, before sending it', async () => {
    const before = db.roundTrips;
    const scoped = db.forSession(session);
    await expect(scoped.query('SELECT $1::int AS a, $2::int AS b', [1])).rejects.toThrow(/up to \$2 but is given 1 value/);
    await expect(scoped.query('SELECT 1 AS one', [1])).rejects.toThrow(/up to \$0 but is given 1 value/);
    expect(db.roundTrips).toBe(before);
    const [row] = await scoped.query<{ t: string }>(`SELECT '$1' || $$ $2 $$ AS t /* $3 */`);
    expect(row?.t).toBe('$1 $2 ');
  });

  it('runs unchecked statements as written and checked ones numbered from $1, in one transaction', async () => {
    const [lock, rows] = await db.forSession(session).transaction([
      { text: 'SELECT pg_advisory_xact_lock(hashtext($1)) AS locked', values: ['octo-test'], unchecked: true },
      { text: 'SELECT $1::text AS v, (SELECT user_id FROM auth) AS user_id', values: ['x'] },
    ]);
    expect(lock).toHaveLength(1);
    expect(rows).toEqual([{ v: 'x', user_id: session.userId }]);
    await expect(db.forSession({ ...session, tokenHash: 'not-the-hash' }).transaction([{ text: 'SELECT $1::text AS v', values: ['x'] }])).rejects.toThrow(
      /expired or was revoked/,
    );
  });
});
