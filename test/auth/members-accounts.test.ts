import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createOwnedDatabase, type TestDatabase } from '../support/databases.js';
import { dropMemberRole, enableMembersOn, memberRoleName, type Members } from '../support/members.js';
import { transcript } from '../support/run-cli.js';
import { signedUp, sql, userOn, type TestUser } from './helpers.js';

/** Issue 11: accounts and octo's commands through a member role's URL, on pg and Neon's HTTP driver. */

const PHC = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc'; // "password"
const KEY = 'sk-member-alice-0123456789-Zq9w';

/** Round trips a command made, from its --debug timing lines (one per round trip). */
const roundTrips = (stderr: string) => stderr.split('\n').filter((line) => /\] db [\d.]+ ms {2}/.test(line)).length;

describe.each(['pg', 'neon'] as const)('members on %s', (kind) => {
  let database: TestDatabase;
  let members: Members;
  let owner: TestUser;
  let emulator: Emulator;
  const role = memberRoleName();
  const asMember = (email: string, password: string) => userOn({ ...database, env: members.env }, email, password);

  beforeAll(async () => {
    database = await createOwnedDatabase(kind);
    owner = userOn(database, 'owner@x.io', 'owner pass 123');
    emulator = await startEmulator({ apiKey: KEY, jobMs: 300, early404Ms: 30 });
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.drop();
    await dropMemberRole(role);
  });

  it('db members enable prints a member URL (the same one again); db status shows row_level_security', async () => {
    const off = await owner.run(['db', 'status', '--json']);
    expect(off.code, off.stderr).toBe(0);
    expect(off.json()).toMatchObject({ row_level_security: false });

    const enabled = await owner.run(['db', 'members', 'enable', '--role', role, '--json']);
    expect(enabled.code, enabled.stderr).toBe(0);
    const { url } = enabled.json();
    expect(enabled.json()).toMatchObject({ role, url: expect.stringMatching(new RegExp(`^postgres(ql)?://${role}:[^@]+@`)) });
    const again = await owner.run(['db', 'members', 'enable', '--role', role, '--json']);
    expect(again.json().url).toBe(url);
    const other = await owner.run(['db', 'members', 'enable', '--role', 'another_role', '--json']);
    expect(other.code).toBe(2);

    members = await enableMembersOn(database, role);
    expect(members.url).toBe(url);
    const on = await userOn({ ...database, env: members.env }, 'x@x.io', 'x').run(['db', 'status', '--json']);
    expect(on.code, on.stderr).toBe(0);
    expect(on.json()).toMatchObject({ row_level_security: true, member_role: role, pending: [] });
  });

  it('signup, login, passwd, logout --all run through the member URL; bcrypt is checked in the database', async () => {
    const alice = await signedUp({ ...database, env: members.env }, 'alice@x.io', 'alice pass 1');
    const [row] = await sql<{ password_hash: string }>(database, `SELECT password_hash FROM users WHERE email = 'alice@x.io'`);
    expect(row?.password_hash).toMatch(/^\$2a\$12\$/); // written by pgcrypto's crypt, not by octo

    const who = await alice.run(['whoami', '--json']);
    expect(who.code, who.stderr).toBe(0);
    expect(who.json()).toMatchObject({ email: 'alice@x.io' });

    const wrong = await alice.run(['login', '--email', 'alice@x.io', '--password-stdin'], { stdin: 'alice pass 2\n' });
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('wrong email or password');
    const second = asMember('alice@x.io', 'alice pass 1');
    expect((await second.run(['login', '--email', 'alice@x.io', '--password-stdin'], { stdin: 'alice pass 1\n' })).code).toBe(0);

    const changed = await alice.run(['passwd', '--password-stdin', '--json'], { stdin: 'alice pass 1\nalice pass 3' });
    expect(changed.code, changed.stderr).toBe(0);
    expect(changed.json()).toMatchObject({ sessions_ended: 1 });
    expect((await second.run(['whoami'])).code).toBe(4); // its session ended with the password change
    expect((await second.run(['login', '--email', 'alice@x.io', '--password-stdin'], { stdin: 'alice pass 1\n' })).code).toBe(4);
    expect((await second.run(['login', '--email', 'alice@x.io', '--password-stdin'], { stdin: 'alice pass 3\n' })).code).toBe(0);

    const all = await alice.run(['logout', '--all', '--json']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.json()).toMatchObject({ sessions_ended: 2 });
    const [count] = await sql<{ n: number }>(
      database,
      `SELECT count(*)::int AS n FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.email = 'alice@x.io'`,
    );
    expect(count?.n).toBe(0);
    expect((await second.run(['whoami'])).code).toBe(4);
  });

  it("an owner-made account (bcryptjs's $2b$ hash) logs in as a member; an argon2 one is told how to finish", async () => {
    await signedUp(database, 'carol@x.io', 'carol pass 1');
    const [row] = await sql<{ password_hash: string }>(database, `SELECT password_hash FROM users WHERE email = 'carol@x.io'`);
    expect(row?.password_hash).toMatch(/^\$2b\$12\$/);
    const carol = asMember('carol@x.io', 'carol pass 1');
    const login = await carol.run(['login', '--email', 'carol@x.io', '--password-stdin'], { stdin: 'carol pass 1\n' });
    expect(login.code, login.stderr).toBe(0);

    await sql(database, `INSERT INTO users (email, password_hash, name) VALUES ('dave@x.io', $1, 'Dave')`, [PHC]);
    const dave = asMember('dave@x.io', 'password');
    const refused = await dave.run(['login', '--email', 'dave@x.io', '--password-stdin'], { stdin: 'password\n' });
    expect(refused.code).toBe(4);
    expect(refused.stderr).toMatch(/argon2/);
    expect(refused.stderr).toMatch(/owner's/);
    // The owner's way finishes the migration (octo upgrades the hash on login); then it works here.
    const viaOwner = await userOn(database, 'dave@x.io', 'password').run(['login', '--email', 'dave@x.io', '--password-stdin'], { stdin: 'password\n' });
    expect(viaOwner.code, viaOwner.stderr).toBe(0);
    expect((await dave.run(['login', '--email', 'dave@x.io', '--password-stdin'], { stdin: 'password\n' })).code).toBe(0);
  });

  it('failed logins slow the next attempts down, counted in the database across machines; the right password still gets in', async () => {
    await signedUp({ ...database, env: members.env }, 'erin@x.io', 'erin pass 1');
    // The delays double from 1 s up to a cap of 30 s; this database's owner caps them at 1.5 s.
    await sql(database, `INSERT INTO octo_settings (key, value) VALUES ('login_delay_cap_ms', '1500') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`);
    let last = '';
    for (let i = 0; i < 6; i += 1) {
      const machine = asMember('erin@x.io', 'x'); // a new config folder each time: another machine
      const failed = await machine.run(['login', '--email', 'erin@x.io', '--password-stdin'], { stdin: `guess number ${i}\n` });
      expect(failed.code).toBe(4);
      expect(failed.stderr).toContain('wrong email or password');
      last = failed.stderr;
    }
    expect(last).toMatch(/the next attempt waits \d+ s before its password is checked/);
    expect(last).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/); // relative, not an ISO time
    const [row] = await sql<{ n: number }>(database, `SELECT count(*)::int AS n FROM octo_login_failures WHERE email = 'erin@x.io'`);
    expect(row?.n).toBe(6);
    const admitted = await asMember('erin@x.io', 'x').run(['login', '--email', 'erin@x.io', '--password-stdin', '--json'], { stdin: 'erin pass 1\n' });
    expect(admitted.code, admitted.stderr).toBe(0);
    expect(await sql(database, `SELECT count(*)::int AS n FROM octo_login_failures WHERE email = 'erin@x.io'`)).toEqual([{ n: 0 }]);
    await sql(database, `DELETE FROM octo_settings WHERE key = 'login_delay_cap_ms'`);
  });

  it("read commands take one round trip each and show only the member's own rows", async () => {
    const frank = await signedUp({ ...database, env: members.env }, 'frank@x.io', 'frank pass 1');
    const gina = await signedUp({ ...database, env: members.env }, 'gina@x.io', 'gina pass 1');
    const add = await frank.run(
      ['profile', 'add', 'emu', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
      {
        stdin: KEY,
      },
    );
    expect(add.code, add.stderr).toBe(0);
    const budget = await frank.run(['costs', 'budget', 'set', '--monthly', '5']);
    expect(budget.code, budget.stderr).toBe(0);
    const made = await frank.run(['generate', 'a member fox', '--seconds', '4', '--json', '--out', frank.env.HOME!]);
    expect(made.code, made.stderr).toBe(0);

    for (const argv of [['whoami'], ['profile', 'list'], ['videos', 'list'], ['jobs', 'list'], ['costs']]) {
      const result = await frank.run([...argv, '--json', '--debug']);
      expect(result.code, `${argv.join(' ')}: ${result.stderr}`).toBe(0);
      expect(roundTrips(result.stderr), argv.join(' ')).toBe(1);
    }
    expect((await frank.run(['profile', 'list', '--json'])).json()).toHaveLength(1);
    expect((await frank.run(['videos', 'list', '--json'])).json()).toHaveLength(1);
    expect((await frank.run(['costs', '--json'])).json()).toMatchObject({ count: 1 });
    for (const argv of [
      ['profile', 'list'],
      ['videos', 'list'],
      ['jobs', 'list'],
    ]) {
      expect((await gina.run([...argv, '--json'])).json(), argv.join(' ')).toEqual([]);
    }
    expect((await gina.run(['costs', '--json'])).json()).toMatchObject({ count: 0 });
  });

  it("the owner's URL works as before and sees every user's rows", async () => {
    const ownerUser = await signedUp(database, 'olga@x.io', 'olga pass 12');
    expect((await ownerUser.run(['whoami'])).code).toBe(0);
    const [row] = await sql<{ n: number }>(database, 'SELECT count(*)::int AS n FROM profiles_config');
    expect(row?.n).toBeGreaterThan(0);
  });

  it('db members disable drops the role and the policies; the owner keeps working', async () => {
    const refused = await owner.run(['db', 'members', 'disable']);
    expect(refused.code).toBe(2);
    const disabled = await owner.run(['db', 'members', 'disable', '--yes', '--json']);
    expect(disabled.code, disabled.stderr).toBe(0);
    expect(disabled.json()).toMatchObject({ role, dropped: true });
    expect((await owner.run(['db', 'status', '--json'])).json()).toMatchObject({ row_level_security: false });
    const gone = await asMember('frank@x.io', 'frank pass 1').run(['login', '--email', 'frank@x.io', '--password-stdin'], { stdin: 'frank pass 1\n' });
    expect(gone.code).toBe(1);
    const [row] = await sql<{ n: number }>(database, `SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1`, [role]);
    expect(row?.n).toBe(0);
    expect((await userOn(database, 'olga@x.io', 'x').run(['login', '--email', 'olga@x.io', '--password-stdin'], { stdin: 'olga pass 12\n' })).code).toBe(0);
  });

  it('no secret in any output', () => {
    const all = transcript.join('\n');
    expect(all).not.toContain(KEY);
    for (const password of ['alice pass 1', 'alice pass 3', 'carol pass 1', 'erin pass 1']) expect(all).not.toContain(password);
  });
});
