import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/auth/session.js';
import { authedQuery } from '../../src/db/connection/authed.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type DriverKind, type TestDatabase } from '../support/databases.js';
import { createUserWithSession } from '../support/users.js';

describe.each(['pg', 'neon'] as DriverKind[])('authedQuery on %s', (kind) => {
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
    const [row] = await authedQuery(
      db,
      session,
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
    const rows = await authedQuery<{ g: number }>(db, session, 'SELECT g FROM generate_series(1, 500) g ORDER BY g DESC');
    expect(rows.map((r) => r.g)).toEqual(Array.from({ length: 500 }, (_, i) => 500 - i));
    expect(await authedQuery(db, session, 'SELECT 1 AS one WHERE false')).toEqual([]);
    await expect(authedQuery(db, { ...session, tokenHash: 'not-the-hash' }, 'SELECT 1 AS one')).rejects.toThrow(/expired or was revoked/);
  });
});
