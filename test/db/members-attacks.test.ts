import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/auth/token.js';
import { signedUp, sql, type TestUser } from '../auth/helpers.js';
import { createOwnedDatabase, type TestDatabase } from '../support/databases.js';
import { dropMemberRole, enableMembersOn, type Members } from '../support/members.js';

/**
 * Issue 11, deliverable 5: attacks with raw SQL as the member role (not through octo's queries):
 * read, insert, update and delete on every table, with no session and with another user's
 * session, against bob's rows. Each must come back empty or refused, and bob's rows unchanged.
 * On pg, and on Neon's HTTP driver through the local endpoint. Trust auth accepts any password
 * here, so only privileges and policies stand between the role and the rows.
 */

type Outcome = { rows: Record<string, unknown>[]; refused?: undefined } | { rows?: undefined; refused: string };
type Exec = (text: string, values?: unknown[], token?: string) => Promise<Outcome>;

const KEY_B = 'sk-bob-victim-9876543210-Xy7Q';

function pgExec(url: string): Exec {
  return async (text, values = [], token) => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      if (token) await client.query(`SELECT set_config('octo.token', $1, false)`, [token]);
      return { rows: (await client.query(text, values)).rows };
    } catch (error) {
      return { refused: String((error as { code?: string }).code ?? error) };
    } finally {
      await client.end();
    }
  };
}

async function neonExec(url: string, endpoint: string): Promise<Exec> {
  const { neon, neonConfig } = await import('@neondatabase/serverless');
  neonConfig.fetchEndpoint = `${endpoint}/sql`;
  const run = neon(url);
  return async (text, values = [], token) => {
    try {
      if (!token) return { rows: (await run.query(text, values)) as Record<string, unknown>[] };
      const [, rows] = await run.transaction([run.query(`SELECT set_config('octo.token', $1, true)`, [token]), run.query(text, values)]);
      return { rows: rows as Record<string, unknown>[] };
    } catch (error) {
      return { refused: String((error as { code?: string }).code ?? error) };
    }
  };
}

const tokenOf = (user: TestUser): string => {
  const text = readFileSync(join(user.env.OCTO_CONFIG_DIR, 'config.json'), 'utf8');
  const token = /"token":\s*"([A-Za-z0-9_.-]+)"/.exec(text)?.[1];
  if (!token) throw new Error('no cached token');
  return token;
};

/** Empty or refused: nothing of anyone's came back. */
const nothing = (outcome: Outcome) => outcome.refused !== undefined || outcome.rows.length === 0;

describe.each(['pg', 'neon'] as const)('attacks as the member role on %s', (kind) => {
  let database: TestDatabase;
  let members: Members;
  let exec: Exec;
  let alice: TestUser;
  let bob: TestUser;
  let aliceToken: string;
  let bobId: string;
  let tables: { relname: string; access: string }[];
  /** Everything bob owns, as the owner sees it. */
  const bobsRows = async () =>
    sql<{ t: string; rows: string }>(
      database,
      `SELECT 'users' AS t, (SELECT jsonb_agg(u ORDER BY u.id)::text FROM users u WHERE u.id = $1) AS rows
       UNION ALL SELECT 'sessions', (SELECT jsonb_agg(s ORDER BY s.id)::text FROM sessions s WHERE s.user_id = $1)
       UNION ALL SELECT 'profiles', (SELECT jsonb_agg(p ORDER BY p.id)::text FROM profiles_config p WHERE p.user_id = $1)
       UNION ALL SELECT 'videos', (SELECT jsonb_agg(v ORDER BY v.id)::text FROM video_metadata v WHERE v.user_id = $1)
       UNION ALL SELECT 'generations', (SELECT jsonb_agg(g ORDER BY g.id)::text FROM video_generations g WHERE g.user_id = $1)
       UNION ALL SELECT 'budgets', (SELECT jsonb_agg(b ORDER BY b.id)::text FROM octo_budgets b WHERE b.user_id = $1)
       UNION ALL SELECT 'settings', (SELECT jsonb_agg(o ORDER BY o.key)::text FROM octo_settings o)`,
      [bobId],
    );
  let before: Awaited<ReturnType<typeof bobsRows>>;

  beforeAll(async () => {
    database = await createOwnedDatabase(kind);
    members = await enableMembersOn(database);
    const env = { ...members.env, OCTO_KEYRING: 'off' };
    [alice, bob] = await Promise.all([signedUp({ ...database, env }, 'alice@x.io', 'alice pass 1'), signedUp({ ...database, env }, 'bob@x.io', 'bob pass 12')]);
    expect(
      (
        await bob.run(
          [
            'profile',
            'add',
            'main',
            '--endpoint',
            'https://bob.openai.azure.com',
            '--deployment',
            'sora-2',
            '--sora-version',
            'sora-2',
            '--api-key-stdin',
            '--no-check',
          ],
          { stdin: KEY_B },
        )
      ).code,
    ).toBe(0);
    expect((await bob.run(['costs', 'budget', 'set', '--monthly', '20'])).code).toBe(0);
    aliceToken = tokenOf(alice);
    bobId = (await sql<{ id: string }>(database, `SELECT id FROM users WHERE email = 'bob@x.io'`))[0]!.id;
    await sql(
      database,
      `WITH g AS (
         INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, generation_mode, estimated_cost, status, job_id)
         VALUES ($1, 'bob secret prompt', 'sora-2', 4, '720x1280', 'text-to-video', 0.4, 'completed', 'job_bob') RETURNING id)
       INSERT INTO video_metadata (user_id, file_id, url, prompt, height, width, duration, generation_id)
       SELECT $1, 'file_bob', 'https://x/bob.mp4', 'bob secret prompt', '1280', '720', '4', g.id FROM g`,
      [bobId],
    );
    tables = await sql(database, 'SELECT relname::text, access FROM octo_member_tables() ORDER BY relname');
    before = await bobsRows();
    exec = kind === 'pg' ? pgExec(members.pgUrl) : await neonExec(members.url, database.env.OCTO_NEON_FETCH_ENDPOINT!);
  });
  afterAll(async () => {
    await database?.drop();
    if (members) await dropMemberRole(members.role);
  });

  it('covers every table octo and the web app use', () => {
    const names = tables.map((t) => t.relname);
    for (const name of [
      'users',
      'sessions',
      'profiles_config',
      'video_metadata',
      'video_generations',
      'octo_budgets',
      'octo_settings',
      'octo_login_failures',
    ]) {
      expect(names).toContain(name);
    }
  });

  for (const session of ['none', "alice's"] as const) {
    it(`reads nothing of bob's on any table with ${session} session`, async () => {
      const token = session === 'none' ? undefined : aliceToken;
      for (const { relname, access } of tables) {
        const read = await exec(`SELECT to_jsonb(t)::text AS row FROM ${relname} t`, [], token);
        if (access === 'shared' || access === 'read') continue; // no user's data: per Azure resource, migration names
        if (session === 'none') expect(nothing(read), `${relname}: ${JSON.stringify(read)}`).toBe(true);
        const text = JSON.stringify(read.rows ?? []);
        expect(text, relname).not.toContain(bobId);
        expect(text, relname).not.toContain(KEY_B);
        expect(text, relname).not.toContain('bob secret prompt');
        expect(text, relname).not.toMatch(/\$2[aby]\$/); // no password hash
      }
    });

    it(`inserts, updates and deletes nothing of bob's with ${session} session`, async () => {
      const token = session === 'none' ? undefined : aliceToken;
      for (const { relname, access } of tables) {
        const [sample] = await sql<{ row: Record<string, unknown> | null; by_user: boolean }>(
          database,
          `SELECT (SELECT to_jsonb(t) FROM ${relname} t ${relname === 'users' ? 'WHERE id = $1' : `WHERE to_jsonb(t) ->> 'user_id' = $1::text OR NOT (to_jsonb(t) ? 'user_id')`} LIMIT 1) AS row,
                  EXISTS (SELECT 1 FROM information_schema.columns WHERE table_name = '${relname}' AND column_name = 'user_id') AS by_user`,
          [bobId],
        );
        const bobs = relname === 'users' ? 'id = $1' : sample?.by_user ? 'user_id = $1' : 'true';
        const forged = sample?.row
          ? { ...sample.row, ...('id' in sample.row ? { id: randomUUID() } : {}), ...(relname === 'users' ? { email: `x${Date.now()}@x.io` } : {}) }
          : null;
        if (forged) {
          if ('key' in forged) forged.key = `attack_${randomUUID()}`;
          if ('token_hash' in forged) forged.token_hash = hashToken('attacker token');
          if ('name' in forged && relname === 'profiles_config') forged.name = `attack ${randomUUID()}`;
          const insert = await exec(
            `INSERT INTO ${relname} SELECT * FROM jsonb_populate_record(NULL::${relname}, $1::jsonb) RETURNING 1`,
            [JSON.stringify(forged)],
            token,
          );
          expect(nothing(insert) && insert.refused !== undefined, `insert into ${relname}: ${JSON.stringify(insert)}`).toBe(access !== 'shared'); // shared rows belong to no user
        }
        const column = sample?.row ? Object.keys(sample.row).find((c) => !['id', 'user_id'].includes(c)) : undefined;
        if (column) {
          const update = await exec(`UPDATE ${relname} SET ${column} = ${column} WHERE ${bobs} RETURNING 1`, bobs.includes('$1') ? [bobId] : [], token);
          if (access !== 'shared' && access !== 'read') expect(nothing(update), `update ${relname}: ${JSON.stringify(update)}`).toBe(true);
          const stolen = await exec(`UPDATE ${relname} SET user_id = $1 RETURNING 1`, [bobId], token);
          if (sample?.by_user) expect(nothing(stolen), `hand a row to bob in ${relname}`).toBe(true);
        }
        const removed = await exec(`DELETE FROM ${relname} WHERE ${bobs} RETURNING 1`, bobs.includes('$1') ? [bobId] : [], token);
        if (access !== 'shared') expect(nothing(removed), `delete from ${relname}: ${JSON.stringify(removed)}`).toBe(true);
      }
      expect(await bobsRows()).toEqual(before);
    });
  }

  it('refuses the things a URL holder tried in the issue, and some more', async () => {
    expect(nothing(await exec('SELECT api_key FROM profiles_config'))).toBe(true);
    expect(nothing(await exec('SELECT api_key FROM profiles_config', [], aliceToken))).toBe(true);
    expect((await exec('SELECT password_hash FROM users', [], aliceToken)).refused).toBe('42501');
    const [session] = await sql<{ id: string; token_hash: string }>(database, 'SELECT id, token_hash FROM sessions WHERE user_id = $1', [bobId]);
    const insert = await exec(`INSERT INTO sessions (user_id, token_hash, expires_at) VALUES ($1, $2, now() + interval '1 day') RETURNING id`, [
      bobId,
      hashToken('mine'),
    ]);
    expect(insert.refused).toBe('42501');
    // bob's stored token hash, or a token re-signed for bob, is no session
    expect(nothing(await exec('SELECT * FROM profiles_config', [], session!.token_hash))).toBe(true);
    const [head, payload, signature] = aliceToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const forged = `${head}.${Buffer.from(JSON.stringify({ ...claims, userId: bobId, sub: bobId, sid: session!.id })).toString('base64url')}.${signature}`;
    expect(nothing(await exec('SELECT * FROM profiles_config', [], forged))).toBe(true);
    // the functions that issue sessions or change policies are not a member's to call
    expect((await exec(`SELECT * FROM octo_issue_session($1, 'bob@x.io', 'x')`, [bobId])).refused).toBe('42501');
    expect((await exec('SELECT octo_members_sync($1)', [members.role])).refused).toBe('42501');
    expect((await exec(`SELECT octo_login_failed('alice@x.io')`)).refused).toBe('42501');
    expect((await exec('SELECT value FROM octo_settings')).refused).toBe('42501');
    expect((await exec('SET ROLE postgres')).refused).toBeDefined();
    expect((await exec('CREATE TABLE public.mine (id int)')).refused).toBe('42501');
    expect((await exec(`SELECT * FROM pg_stats WHERE tablename = 'profiles_config'`)).rows).toEqual([]);
    // octo_uid() is alice with alice's token, nobody without one
    expect((await exec('SELECT octo_uid() AS id', [], aliceToken)).rows?.[0]?.id).not.toBe(bobId);
    expect((await exec('SELECT octo_uid() AS id')).rows?.[0]?.id).toBeNull();
    // the password rules hold inside the database too
    expect((await exec(`SELECT status FROM octo_signup('x1@x.io', 'x', '          ', 'x')`)).rows?.[0]?.status).toBe('blank');
    expect((await exec(`SELECT status FROM octo_signup('x2@x.io', 'x', $1, 'x')`, ['a'.repeat(73)])).rows?.[0]?.status).toBe('too_long');
    expect((await exec(`SELECT status FROM octo_login('bob@x.io', $1, 'x')`, ['a'.repeat(73)])).rows?.[0]?.status).toBe('too_long');
    expect(await bobsRows()).toEqual(before);
  });

  it("a temporary table named sessions does not stand in for the real one in octo's functions", async () => {
    if (kind !== 'pg') return; // one connection is needed for the temporary table
    const client = new pg.Client({ connectionString: members.pgUrl });
    await client.connect();
    try {
      await client.query('CREATE TEMP TABLE sessions (user_id uuid, token_hash text, expires_at timestamptz)');
      await client.query(`INSERT INTO pg_temp.sessions VALUES ($1, $2, now() + interval '1 day')`, [bobId, hashToken('fake')]);
      await client.query(`SELECT set_config('octo.token', 'fake', false)`);
      expect((await client.query('SELECT octo_uid() AS id')).rows[0].id).toBeNull();
      expect((await client.query('SELECT api_key FROM public.profiles_config')).rows).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
