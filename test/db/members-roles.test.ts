import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultMemberRole } from '../../src/db/connection/members.js';
import { sql, userOn, type TestUser } from '../auth/helpers.js';
import { createOwnedDatabase, postgresReachable, type TestDatabase } from '../support/databases.js';
import { adminUrl } from '../support/global-setup.js';
import { dropMemberRole, memberRoleName } from '../support/members.js';

/**
 * Issue 22, item 5: role names belong to the whole server. With the one default role for every
 * octo database, `members enable` on Y reset the password X's member URL used, and a member of X
 * could connect to Y and sign up there. Two databases on the local Postgres, the CLI as the owner,
 * raw connections as the members (trust auth: only privileges decide who gets in).
 */

const nameOf = (database: TestDatabase) => new URL(database.inspectUrl).pathname.slice(1);
const urlFor = (url: string, database: string) => {
  const next = new URL(url);
  next.pathname = `/${database}`;
  return next.toString();
};

/** Connects and asks one thing; the SQLSTATE when refused. */
async function connects(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return 'connected';
  } catch (error) {
    return String((error as { code?: string }).code ?? error);
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function admin(text: string): Promise<Record<string, unknown>[]> {
  const client = new pg.Client({ connectionString: adminUrl() });
  await client.connect();
  try {
    return (await client.query(text)).rows;
  } finally {
    await client.end();
  }
}

const password = async (role: string) => (await admin(`SELECT rolpassword FROM pg_authid WHERE rolname = '${role}'`))[0]?.rolpassword;

describe.skipIf(!postgresReachable())('one member role per database on pg', () => {
  const databases: TestDatabase[] = [];
  const roles: string[] = [];
  let x: TestDatabase;
  let y: TestDatabase;
  let ownerX: TestUser;
  let ownerY: TestUser;
  let memberX: string;
  const bystander = memberRoleName(); // a login role with nothing in Y
  const webApp = memberRoleName(); // a role the web app might use, with grants on Y's tables

  beforeAll(async () => {
    [x, y] = await Promise.all([createOwnedDatabase('pg'), createOwnedDatabase('pg')]);
    databases.push(x, y);
    ownerX = userOn(x, 'owner@x.io', 'x');
    ownerY = userOn(y, 'owner@y.io', 'x');
    roles.push(bystander, webApp);
    await admin(`CREATE ROLE ${bystander} LOGIN; CREATE ROLE ${webApp} LOGIN`);
    await sql(y, `GRANT SELECT, INSERT ON users TO ${webApp}`);
  });
  afterAll(async () => {
    for (const database of databases) await database.drop();
    for (const role of roles) await dropMemberRole(role);
  });

  it('the default role is named after the database, within 63 bytes, and db status says it serves this one only', async () => {
    const enabled = await ownerX.run(['db', 'members', 'enable', '--json']);
    expect(enabled.code, enabled.stderr).toBe(0);
    const role = enabled.json().role as string;
    roles.push(role);
    expect(role).toBe(`octo_member_${nameOf(x)}`);
    memberX = enabled.json().url;
    expect(await connects(urlFor(memberX, nameOf(x)))).toBe('connected');
    const status = await ownerX.run(['db', 'status', '--json']);
    expect(status.json()).toMatchObject({ row_level_security: true, member_role: role, member_role_also_serves: [] });

    expect(defaultMemberRole('neondb')).toBe('octo_member_neondb');
    for (const name of ['My-DB', 'my_db2', 'x'.repeat(63), 'Ünïcode db']) {
      const made = defaultMemberRole(name);
      expect(Buffer.byteLength(made), name).toBeLessThanOrEqual(63);
      expect(made, name).toMatch(/^octo_member_[a-z0-9_]+$/);
    }
    expect(defaultMemberRole('my-db')).not.toBe(defaultMemberRole('my_db'));
  });

  it("refuses a role that already serves another database, naming --shared-role; X's password is untouched", async () => {
    const role = `octo_member_${nameOf(x)}`;
    const before = await password(role);
    const refused = await ownerY.run(['db', 'members', 'enable', '--role', role, '--json']);
    expect(refused.code).toBe(2);
    expect(refused.json().error.message).toContain(`already serves another database of this server (${nameOf(x)})`);
    expect(refused.json().error.hint).toContain('--shared-role');
    expect(await password(role)).toBe(before);
    expect(await sql(y, `SELECT count(*)::int AS n FROM pg_policies WHERE policyname = 'octo_member'`)).toEqual([{ n: 0 }]);
  });

  it("a member of X cannot connect to Y once Y has members; Y's owner and the web app's role still can", async () => {
    // Today any login role may connect to Y, as PUBLIC may.
    expect(await connects(urlFor(memberX, nameOf(y)))).toBe('connected');
    const enabled = await ownerY.run(['db', 'members', 'enable', '--json']);
    expect(enabled.code, enabled.stderr).toBe(0);
    roles.push(enabled.json().role);
    expect(enabled.json().role).toBe(`octo_member_${nameOf(y)}`);

    expect(await connects(urlFor(memberX, nameOf(y)))).toBe('42501');
    expect(await connects(urlFor(enabled.json().url, nameOf(x)))).toBe('42501');
    expect(await connects(urlFor(enabled.json().url, nameOf(y)))).toBe('connected');
    expect(await connects(urlFor(memberX, nameOf(x)))).toBe('connected');
    const role = (name: string) => {
      const url = new URL(y.inspectUrl);
      url.username = name;
      return url.toString();
    };
    expect(await connects(role(webApp))).toBe('connected');
    expect(await connects(role(bystander))).toBe('42501');
    expect(await connects(y.inspectUrl)).toBe('connected');

    // Disabled, Y is as it was: PUBLIC connects again, and Y's role is gone.
    const disabled = await ownerY.run(['db', 'members', 'disable', '--yes', '--json']);
    expect(disabled.json()).toMatchObject({ dropped: true, also_serves: [] });
    expect(await connects(role(bystander))).toBe('connected');
    expect(await admin(`SELECT count(*)::int AS n FROM pg_roles WHERE rolname = '${enabled.json().role}'`)).toEqual([{ n: 0 }]);
  });

  it('--shared-role lets a role serve two databases on purpose: it keeps its password, and disabling one keeps the role', async () => {
    const role = `octo_member_${nameOf(x)}`;
    const before = await password(role);
    const shared = await ownerY.run(['db', 'members', 'enable', '--role', role, '--shared-role', '--json']);
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.json()).toMatchObject({ role, also_serves: [nameOf(x)] });
    expect(new URL(shared.json().url).password).toBe('');
    expect(await password(role)).toBe(before);
    expect(await connects(urlFor(memberX, nameOf(y)))).toBe('connected');
    const status = await ownerY.run(['db', 'status', '--json']);
    expect(status.json()).toMatchObject({ member_role: role, member_role_also_serves: [nameOf(x)] });
    // Run again with X's: the same refusal without the flag.
    expect((await ownerY.run(['db', 'members', 'enable'])).code).toBe(2);

    const disabled = await ownerY.run(['db', 'members', 'disable', '--yes', '--json']);
    expect(disabled.json()).toMatchObject({ role, dropped: false, also_serves: [nameOf(x)] });
    expect(await connects(urlFor(memberX, nameOf(x)))).toBe('connected');
    expect(await password(role)).toBe(before);
    expect((await ownerX.run(['db', 'status', '--json'])).json()).toMatchObject({ member_role: role, member_role_also_serves: [] });
    // Nothing of the role is left in Y.
    expect(
      await sql(
        y,
        `SELECT count(*)::int AS n FROM pg_shdepend WHERE refobjid = (SELECT oid FROM pg_roles WHERE rolname = $1) AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())`,
        [role],
      ),
    ).toEqual([{ n: 0 }]);
  });

  it('two owners enabling one role on two databases at the same moment: one wins, the other is refused', async () => {
    const role = `octo_member_race_${randomBytes(3).toString('hex')}`;
    roles.push(role);
    await Promise.all([ownerX.run(['db', 'members', 'disable', '--yes']), ownerY.run(['db', 'members', 'disable', '--yes'])]);
    const [a, b] = await Promise.all([ownerX.run(['db', 'members', 'enable', '--role', role]), ownerY.run(['db', 'members', 'enable', '--role', role])]);
    expect([a.code, b.code].sort()).toEqual([0, 2]);
  });
});
