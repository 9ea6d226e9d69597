import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/databases.js';
import { signedUp, sql, userOn } from './helpers.js';

/**
 * Issue 12, the password rows: blank and over-72-byte passwords refused; login throttling in the
 * database. Issue 22 item 3 and issue 23 item 5: failed logins slow attempts down and lock nobody
 * out; none at all on the embedded database.
 */
describe.each(DRIVERS)('password rules and login throttling on %s', (kind) => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('refuses a blank password and one over 72 bytes (exit 2), at signup, login and passwd', async () => {
    const user = userOn(database, 'rules@x.io', 'x');
    const signup = (password: string) => user.run(['signup', '--email', 'rules@x.io', '--password-stdin', '--json'], { stdin: `${password}\n` });
    const blank = await signup('        ');
    expect(blank.code).toBe(2);
    expect(blank.json().error.message).toMatch(/blank/);
    const long = await signup('a'.repeat(80));
    expect(long.code).toBe(2);
    expect(long.json().error.message).toMatch(/72 bytes/);
    expect((await signup('é'.repeat(37))).code).toBe(2); // 37 characters, 74 bytes
    const ok = await signedUp(database, 'rules@x.io', 'a'.repeat(72)); // the refused ones made no account
    expect(await sql(database, `SELECT count(*)::int AS n FROM users WHERE email = 'rules@x.io'`)).toEqual([{ n: 1 }]);
    const login = await ok.run(['login', '--email', 'rules@x.io', '--password-stdin'], { stdin: `${'a'.repeat(72)}bcrypt-ignores-this\n` });
    expect(login.code).toBe(2); // not "logged in with a different suffix"
    const passwd = await ok.run(['passwd', '--password-stdin'], { stdin: `${'a'.repeat(72)}\n        ` });
    expect(passwd.code).toBe(2);
  });

  it(
    kind === 'embedded'
      ? 'never slows or holds back a login on the embedded database (whoever reaches it can read its files)'
      : 'slows failed logins down, counted in the database, and still lets the right password in (exit 0)',
    async () => {
      await signedUp(database, 'held@x.io', 'held pass 1');
      // The delays double from 1 s up to a cap of 30 s; this database's owner caps them at 1.5 s.
      await sql(
        database,
        `INSERT INTO octo_settings (key, value) VALUES ('login_delay_cap_ms', '1500') ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value`,
      );
      let last = '';
      for (let i = 0; i < 6; i += 1) {
        const machine = userOn(database, 'held@x.io', 'x'); // a config folder of its own: another machine
        const failed = await machine.run(['login', '--email', 'held@x.io', '--password-stdin'], { stdin: `wrong guess ${i}\n` });
        expect(failed.code).toBe(4);
        expect(failed.stderr).toContain('wrong email or password');
        last = failed.stderr;
      }
      expect(last).not.toMatch(/\d{4}-\d\d-\d\dT\d\d:/); // times are relative, never ISO
      const recorded = await sql<{ n: number }>(database, `SELECT count(*)::int AS n FROM octo_login_failures WHERE email = 'held@x.io'`);
      if (kind === 'embedded') {
        expect(last).not.toMatch(/slow/);
        expect(recorded).toEqual([{ n: 0 }]);
      } else {
        expect(last).toMatch(/the next attempt waits \d+ s before its password is checked/);
        expect(recorded).toEqual([{ n: 6 }]);
      }
      const admitted = await userOn(database, 'held@x.io', 'x').run(['login', '--email', 'held@x.io', '--password-stdin', '--json'], {
        stdin: 'held pass 1\n',
      });
      expect(admitted.code, admitted.stderr).toBe(0);
      expect(await sql(database, `SELECT count(*)::int AS n FROM octo_login_failures WHERE email = 'held@x.io'`)).toEqual([{ n: 0 }]);
    },
  );
});
