import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseCreates, takeCreateTurn } from '../../src/db/tables/pacing.js';
import type { Db } from '../../src/db/connection/types.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import { sql } from '../auth/helpers.js';
import { createOwnedDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { dropMemberRole, enableMembersOn, type Members } from '../support/members.js';

/**
 * Issue 22, item 4: the create pacing per Azure resource was a table every member could write, so
 * one UPDATE paused every member's creates for a year, and a pacer row a year ahead slowed them
 * all. Through raw SQL on the member URL (no session needed: these rows belong to no user):
 * members read the tables and change them only through functions that bound what they take.
 */

type Outcome = { rows: Record<string, unknown>[]; refused?: undefined } | { rows?: undefined; refused: string };

describe.skipIf(!postgresReachable())('create pacing as the member role on pg', () => {
  let database: TestDatabase;
  let members: Members;
  let member: Db;
  const resource = 'frozen.openai.azure.com/sora-2';

  const asMember = async (text: string, values: unknown[] = []): Promise<Outcome> => {
    const client = new pg.Client({ connectionString: members.pgUrl });
    await client.connect();
    try {
      return { rows: (await client.query(text, values)).rows };
    } catch (error) {
      return { refused: String((error as { code?: string }).code ?? error) };
    } finally {
      await client.end();
    }
  };
  const secondsAhead = async (text: string) =>
    Number((await sql<{ s: number }>(database, `SELECT EXTRACT(EPOCH FROM (${text}) - clock_timestamp())::float8 AS s`))[0]!.s);

  beforeAll(async () => {
    database = await createOwnedDatabase('pg');
    members = await enableMembersOn(database);
    member = await openDatabase(resolveDatabase({ env: members.env, dataDir: '/nonexistent' }), { env: members.env });
    // A member's first create turn on the resource makes its rows, as generate does.
    expect((await takeCreateTurn(member, { resource, owner: 'host:1', pace: 2 })).granted).toBe(true);
  });
  afterAll(async () => {
    await member?.close();
    await database?.drop();
    if (members) await dropMemberRole(members.role);
  });

  it('refuses a member who writes the pacing tables directly: no year-long pause, no pacer a year ahead', async () => {
    expect((await asMember(`UPDATE octo_create_pacing SET paused_until = now() + interval '1 year'`)).refused).toBe('42501');
    expect((await asMember(`INSERT INTO octo_create_pacing (resource, paused_until) VALUES ('other/sora-2', now() + interval '1 year')`)).refused).toBe(
      '42501',
    );
    expect((await asMember(`DELETE FROM octo_create_pacing`)).refused).toBe('42501');
    expect(
      (
        await asMember(`INSERT INTO octo_create_pacers (resource, owner, creates_per_minute, seen_at) VALUES ($1, 'attacker', 1, now() + interval '1 year')`, [
          resource,
        ])
      ).refused,
    ).toBe('42501');
    expect((await asMember(`UPDATE octo_create_pacers SET seen_at = now() + interval '1 year', creates_per_minute = 1`)).refused).toBe('42501');
    expect((await asMember(`DELETE FROM octo_create_pacers`)).refused).toBe('42501');
    // Reading is still fine: these rows belong to no user.
    expect((await asMember('SELECT resource FROM octo_create_pacing')).rows).toEqual([{ resource }]);
    const [row] = await sql<{ paused_until: Date | null }>(database, 'SELECT paused_until FROM octo_create_pacing WHERE resource = $1', [resource]);
    expect(row?.paused_until).toBeNull();
  });

  it("bounds what the functions take: a pause of at most 5 minutes however often asked, a sane pace, the database's clock", async () => {
    const paused = await asMember(`SELECT octo_pacing_pause($1, 1e12) AS until`, [resource]);
    expect(paused.refused).toBeUndefined();
    for (let i = 0; i < 3; i += 1) await pauseCreates(member, resource, 365 * 86_400_000);
    const ahead = await secondsAhead(`SELECT paused_until FROM octo_create_pacing WHERE resource = '${resource}'`);
    expect(ahead).toBeGreaterThan(250);
    expect(ahead).toBeLessThanOrEqual(300);
    // The pause holds for everyone, its length as the database counts it.
    const turn = await takeCreateTurn(member, { resource, owner: 'host:2', pace: null });
    expect(turn.granted).toBe(false);
    expect(turn.waitMs).toBeLessThanOrEqual(300_000);

    expect((await asMember(`SELECT * FROM octo_pacing_take('paces/sora-2', 'strict', -5, 1e12)`)).refused).toBeUndefined();
    expect((await asMember(`SELECT * FROM octo_pacing_take('paces/sora-2', 'lax', 2000000000, 1)`)).refused).toBeUndefined();
    const pacers = await sql<{ owner: string; creates_per_minute: number | null; future: boolean }>(
      database,
      `SELECT owner, creates_per_minute, seen_at > clock_timestamp() AS future FROM octo_create_pacers WHERE resource = 'paces/sora-2' ORDER BY owner`,
    );
    expect(pacers).toEqual([
      { owner: `${members.role}/lax`, creates_per_minute: 10_000, future: false },
      { owner: `${members.role}/strict`, creates_per_minute: null, future: false },
    ]);
    expect((await asMember(`SELECT * FROM octo_pacing_take($1, 'x', 1, 1)`, ['r'.repeat(700)])).refused).toBe('22023');
    // The owner's rows are its own business; what the functions leave is bounded.
    await sql(database, `UPDATE octo_create_pacing SET paused_until = NULL`);
  });

  it("never lets a member replace another role's pace by naming its process's owner string", async () => {
    const shared = 'shared.openai.azure.com/sora-2';
    // The owner's process paces strictly; a member names that process and asks for a lax pace.
    const owner = await openDatabase(resolveDatabase({ env: database.env, dataDir: '/nonexistent' }), { env: database.env });
    try {
      expect((await takeCreateTurn(owner, { resource: shared, owner: 'host-a:41:beef', pace: 2 })).granted).toBe(true);
      expect((await asMember(`SELECT * FROM octo_pacing_take($1, 'host-a:41:beef', 10000, 61200)`, [shared])).refused).toBeUndefined();
      const rows = await sql<{ owner: string; creates_per_minute: number }>(
        database,
        'SELECT owner, creates_per_minute FROM octo_create_pacers WHERE resource = $1 ORDER BY creates_per_minute',
        [shared],
      );
      expect(rows.map((r) => r.creates_per_minute)).toEqual([2, 10_000]);
      expect(rows[1]!.owner).toBe(`${members.role}/host-a:41:beef`);
      // The strict pace still holds for everyone: the window's two places are taken, the third waits.
      const [row] = await sql<{ creates_per_minute: number }>(database, 'SELECT creates_per_minute FROM octo_create_pacing WHERE resource = $1', [shared]);
      expect(row!.creates_per_minute).toBe(2);
      expect((await takeCreateTurn(owner, { resource: shared, owner: 'host-a:41:beef', pace: 2 })).granted).toBe(false);
    } finally {
      await owner.close();
    }
  });

  it('leaves a member no other function to call: the owner-only ones stay refused', async () => {
    expect((await asMember(`SELECT octo_members_callable()`)).refused).toBe('42501');
    expect((await asMember(`SELECT octo_pacing_check('x', 'y')`)).refused).toBe('42501');
    expect((await asMember(`SELECT octo_pacing_leave()`)).refused).toBeUndefined();
  });
});
