import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../auth/helpers.js';
import { createOwnedDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { dropMemberRole, enableMembersOn, type Members } from '../support/members.js';
import { until } from '../support/until.js';

/**
 * Issue 22, item 3: five wrong `octo_login` calls held an email's logins for 15 minutes, again and
 * again, so the owner of the email could never log in. Through raw SQL on the member URL: failed
 * logins now slow the next attempts down (per email and per source address, at most 30 s) and
 * the right password is admitted whatever an attacker keeps doing.
 */

interface Attempt {
  status: string;
  held_until: Date | null;
  session_token: string | null;
}

describe.skipIf(!postgresReachable())('failed logins through the member URL on pg', () => {
  let database: TestDatabase;
  let members: Members;

  const asMember = async <R>(text: string, values: unknown[]): Promise<R> => {
    const client = new pg.Client({ connectionString: members.pgUrl });
    await client.connect();
    try {
      return (await client.query(text, values)).rows[0] as R;
    } finally {
      await client.end();
    }
  };
  const login = (email: string, password: string) =>
    asMember<Attempt>('SELECT status, held_until, session_token FROM octo_login($1, $2, $3)', [email, password, 'raw sql']);
  const failures = async (email: string) =>
    (await sql<{ n: number }>(database, 'SELECT count(*)::int AS n FROM octo_login_failures WHERE email = $1', [email]))[0]!.n;
  /** The database's own answer: how many seconds until an attempt for `email` from `url` is checked. */
  const waitSeconds = async (url: string, email: string) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query(`SELECT EXTRACT(EPOCH FROM octo_login_held_until($1) - clock_timestamp())::float8 AS s`, [email]);
      return rows[0].s as number | null;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    database = await createOwnedDatabase('pg');
    members = await enableMembersOn(database);
    expect((await asMember<Attempt>(`SELECT status FROM octo_signup('bob@x.io', 'Bob', 'bob pass 12', 'raw sql')`, [])).status).toBe('ok');
  });
  afterAll(async () => {
    await database?.drop();
    if (members) await dropMemberRole(members.role);
  });

  it('the wait never exceeds 30 s, however many failures there are', async () => {
    // Fifty failures in the last minute from this address, as a busy attacker leaves them.
    await sql(
      database,
      `INSERT INTO octo_login_failures (email, source, failed_at)
       SELECT 'cap@x.io', '127.0.0.1', clock_timestamp() - g * interval '1 second' FROM generate_series(0, 49) g`,
    );
    const seconds = await waitSeconds(database.inspectUrl, 'cap@x.io');
    expect(seconds).toBeGreaterThan(25);
    expect(seconds).toBeLessThanOrEqual(30);
    await sql(database, `DELETE FROM octo_login_failures WHERE email = 'cap@x.io'`);
  });

  it('the first two failures cost nothing, then each says when the next attempt is checked; per email and per source address', async () => {
    const first = await login('carol@x.io', 'wrong one');
    const second = await login('carol@x.io', 'wrong two');
    expect([first.status, first.held_until, second.status, second.held_until]).toEqual(['wrong', null, 'wrong', null]);
    const third = await login('carol@x.io', 'wrong three');
    expect(third.status).toBe('wrong');
    expect(third.held_until).toBeInstanceOf(Date);
    expect(await sql(database, `SELECT DISTINCT host(source) AS source FROM octo_login_failures WHERE email = 'carol@x.io'`)).toEqual([
      { source: '127.0.0.1' },
    ]);
    // One address trying many emails is slowed too: another email from 127.0.0.1 now waits…
    expect(await waitSeconds(database.inspectUrl, 'dave@x.io')).toBeGreaterThan(0);
    // …but not from where the server sees no address (a Unix socket).
    const socket = new URL(database.inspectUrl);
    socket.searchParams.set('host', '/var/run/postgresql');
    expect(await waitSeconds(socket.toString(), 'dave@x.io')).toBeNull();
    await sql(database, `DELETE FROM octo_login_failures`);
  });

  it('an attacker who keeps failing does not keep the owner of the email out; the success forgets the failures', async () => {
    // The delays double up to a cap of 30 s; this database's owner caps them at 2 s so the test is short.
    await sql(database, `INSERT INTO octo_settings (key, value) VALUES ('login_delay_cap_ms', '2000') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
    let attacking = true;
    let guesses = 0;
    const attacker = async (n: number) => {
      while (attacking) {
        const guess = await login('bob@x.io', `guess ${n}-${guesses++}`);
        expect(guess.status).toBe('wrong');
      }
    };
    const attackers = [1, 2, 3].map(attacker);
    try {
      await until(async () => (await failures('bob@x.io')) >= 8, 60_000, 'eight failed guesses for bob');
      const t = (await sql<{ t: Date }>(database, 'SELECT clock_timestamp() AS t'))[0]!.t;
      const owner = await login('bob@x.io', 'bob pass 12');
      expect(owner.status).toBe('ok');
      expect(owner.session_token).toMatch(/^eyJ/);
      attacking = false;
      await Promise.all(attackers);
      // Only guesses answered after the owner's success are left.
      expect(await sql(database, 'SELECT count(*)::int AS n FROM octo_login_failures WHERE email = $1 AND failed_at < $2', ['bob@x.io', t])).toEqual([
        { n: 0 },
      ]);
    } finally {
      attacking = false;
      await Promise.all(attackers);
      await sql(database, `DELETE FROM octo_settings WHERE key = 'login_delay_cap_ms'`);
    }
  });
});
