import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../src/auth/token.js';
import type { Keyring } from '../../src/auth/token-store.js';
import { databaseTargetFor, targetKey } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { openOwnDb, sql, userOn } from '../auth/helpers.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { firstRow } from '../support/defined.js';

/** The session token in the OS keyring (or the config file), logout with the database down, a broken config file. */

let database: TestDatabase;
let db: Db;
beforeAll(async () => {
  database = await createTestDatabase('pg');
  db = await openOwnDb(database);
});
afterAll(async () => {
  await db?.close();
  await database?.drop();
});

const readConfig = (dir: string) => JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));

function memoryKeyring(): Keyring & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return {
    items,
    get: async (a) => items.get(a),
    set: async (a, s) => {
      items.set(a, s);
    },
    delete: async (a) => {
      items.delete(a);
    },
  };
}

describe('the session token store', () => {
  it('a keyring that works holds the token; the config file holds none of it; whoami says keyring; logout removes it', async () => {
    const keyring = memoryKeyring();
    const user = userOn(database, 'kr@x.io', 'keyring pass 1');
    const run = (argv: string[], stdin?: string) => runCli(argv, { env: user.env, stdin, overrides: { keyring: async () => keyring } });
    const s = await run(['signup', '--email', 'kr@x.io', '--password-stdin'], 'keyring pass 1\n');
    expect(s.code, s.stderr).toBe(0);
    expect(keyring.items.size).toBe(1);
    const token = firstRow([...keyring.items.values()], 'a token in the keyring');
    const file = readFileSync(join(user.env.OCTO_CONFIG_DIR, 'config.json'), 'utf8');
    expect(file).not.toContain(token);
    expect(file).not.toContain(token.split('.')[2]);
    expect(Object.values(readConfig(user.env.OCTO_CONFIG_DIR).sessions)).toEqual([expect.objectContaining({ store: 'keyring' })]);
    const who = await run(['whoami', '--json']);
    expect(who.code, who.stderr).toBe(0);
    expect(who.json().token_source).toBe('keyring');
    expect((await run(['whoami'])).stdout).toMatch(/token from\s+keyring/);
    // A keyring that lost the entry: a clear "log in again", not a crash.
    const lost = await runCli(['whoami'], { env: user.env, overrides: { keyring: async () => memoryKeyring() } });
    expect(lost.code).toBe(4);
    expect(lost.stderr).toContain('OS keyring');
    expect((await run(['logout'])).code).toBe(0);
    expect(keyring.items.size).toBe(0);
    expect(readConfig(user.env.OCTO_CONFIG_DIR).sessions).toEqual({});
  });

  it('a keyring that refuses (AccessDenied, as on this headless machine) never blocks a login: the 0600 config file holds the token', async () => {
    const denied: Keyring = {
      get: async () => {
        throw new Error("Couldn't access platform storage: AccessDenied\n\nCaused by:\n    AccessDenied\n\nStack backtrace: …");
      },
      set: async () => {
        throw new Error("Couldn't access platform storage: AccessDenied");
      },
      delete: async () => {
        throw new Error('AccessDenied');
      },
    };
    const user = userOn(database, 'denied@x.io', 'denied pass 1');
    const run = (argv: string[], stdin?: string) => runCli(argv, { env: user.env, stdin, overrides: { keyring: async () => denied } });
    const s = await run(['signup', '--email', 'denied@x.io', '--password-stdin', '--debug'], 'denied pass 1\n');
    expect(s.code, s.stderr).toBe(0);
    expect(s.stderr).toContain('token kept in the config file (keyring: Couldn');
    expect(s.stderr).not.toContain('Stack backtrace');
    expect(Object.values(readConfig(user.env.OCTO_CONFIG_DIR).sessions)).toEqual([expect.objectContaining({ token: expect.stringMatching(/^eyJ/) })]);
    const who = await run(['whoami', '--json']);
    expect(who.code, who.stderr + who.stdout).toBe(0);
    expect(who.json().token_source).toBe('config');
    expect((await run(['logout'])).code).toBe(0);
  });

  it('the real OS keyring module: login works whatever it does, and whoami names the store that holds the token', async () => {
    const env = { ...cliEnv(database.env), OCTO_KEYRING: '' };
    const s = await runCli(['signup', '--email', 'real@x.io', '--password-stdin'], { env, stdin: 'real keyring pass 1\n' });
    expect(s.code, s.stderr).toBe(0);
    const cached = firstRow(Object.values(readConfig(env.OCTO_CONFIG_DIR).sessions) as { token?: string; store?: string }[], 'a cached session');
    const who = await runCli(['whoami', '--json'], { env });
    expect(who.code, who.stderr).toBe(0);
    // Here (headless, no Secret Service) the keyring answers AccessDenied: the file holds it.
    expect(who.json().token_source).toBe(cached.store === 'keyring' ? 'keyring' : 'config');
    if (cached.store !== 'keyring') expect(cached.token).toMatch(/^eyJ/);
    expect((await runCli(['logout'], { env })).code).toBe(0);
  });
});

describe('logout while the database is down', () => {
  it('refuses with exit 1 and keeps the token, so logout can be retried', async () => {
    const env = cliEnv({ OCTO_DATABASE_URL: 'postgres://octo@127.0.0.1:9/nowhere', OCTO_DB_DRIVER: '' });
    const key = targetKey(databaseTargetFor(undefined, env, { get: () => undefined } as never));
    const { token } = await signToken({ userId: crypto.randomUUID(), sessionId: crypto.randomUUID(), email: 'a@x.io' }, 'secret-for-test', new Date());
    mkdirSync(env.OCTO_CONFIG_DIR, { recursive: true });
    writeFileSync(join(env.OCTO_CONFIG_DIR, 'config.json'), JSON.stringify({ sessions: { [key]: { token, jwtSecret: 'secret-for-test' } } }), { mode: 0o600 });
    const r = await runCli(['logout'], { env });
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toContain('the token is kept');
    expect(r.stderr).not.toContain(token);
    expect(readConfig(env.OCTO_CONFIG_DIR).sessions[key].token).toBe(token);
  });

  it('a session that already ended is forgotten (logout always ends logged out when the database answers)', async () => {
    const user = userOn(database, 'gone@x.io', 'gone pass 1');
    expect((await user.run(['signup', '--email', 'gone@x.io', '--password-stdin'], { stdin: 'gone pass 1\n' })).code).toBe(0);
    await sql(database, `DELETE FROM sessions WHERE user_id = (SELECT id FROM users WHERE email = 'gone@x.io')`);
    const r = await user.run(['logout', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ logged_out: true, sessions_ended: 0 });
    expect(readConfig(user.env.OCTO_CONFIG_DIR).sessions).toEqual({});
  });
});

describe('a config.json octo cannot use', () => {
  it.each([
    ['null', 'null'],
    ['a numeric token', JSON.stringify({ sessions: { k: { token: 12345 } } })],
    ['an array', '[]'],
    ['a setting that is not a string', JSON.stringify({ settings: { 'download-dir': 7 } })],
  ])('holding %s: a clear message naming the file (exit 2), not "(unexpected)"', async (_what, content) => {
    const env = cliEnv(database.env);
    mkdirSync(env.OCTO_CONFIG_DIR, { recursive: true });
    const path = join(env.OCTO_CONFIG_DIR, 'config.json');
    writeFileSync(path, content, { mode: 0o600 });
    for (const argv of [['whoami'], ['config', 'list']]) {
      const r = await runCli(argv, { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toContain(`the config file ${path} is not an octo config`);
      expect(r.stderr).not.toContain('unexpected');
    }
  });
});
