import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError } from '../../src/core/errors.js';
import { cachedBearer, soraAuth, type ProfileCredential } from '../../src/sora/auth.js';
import { createUserWithSession } from '../support/users.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { startWorld, type World } from '../generate/helpers.js';

/** `--api-key-env`, `--auth` and what `profile show/list` say; the token cache as units. */

const KEY = 'emulator-secret-key-1234';
let world: World;
let env: Record<string, string>;
let userId: string;
const cli = (argv: string[], extra: Record<string, string> = {}) => runCli(argv, { env: { ...env, ...extra } });

beforeAll(async () => {
  world = await startWorld('pg');
  const { session, token } = await createUserWithSession(world.db);
  userId = session.userId;
  env = cliEnv({ ...world.database.env, OCTO_TOKEN: token, OCTO_POLL_MS: '25' });
});
afterAll(async () => {
  await world?.close();
});

const add = (name: string, ...flags: string[]) =>
  cli(['profile', 'add', name, '--endpoint', world.emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', ...flags, '--json']);

describe('profile credentials', () => {
  it('--api-key-env stores only the variable name; a command without it exits 4 naming it; with it, it works', async () => {
    const r = await add('envkey', '--api-key-env', 'OCTO_TEST_AZURE_KEY');
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ credential: 'api-key-env', api_key_env: 'OCTO_TEST_AZURE_KEY', api_key_hint: null });
    expect(r.stderr).toContain('OCTO_TEST_AZURE_KEY is not set here');
    // --json keeps stderr to warnings; without it, the check left to `profile test` is said.
    const same = await cli(['profile', 'update', 'envkey', '--deployment', 'sora-2']);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stderr).toContain('Not checked: run octo profile test envkey once its credential is available.');
    const [row] = await world.db.query<{ api_key: string; api_key_env: string; credential: string }>(
      `SELECT api_key, api_key_env, credential FROM profiles_config WHERE user_id = $1 AND name = 'envkey'`,
      [userId],
    );
    expect(row).toEqual({ api_key: '', api_key_env: 'OCTO_TEST_AZURE_KEY', credential: 'api-key-env' });

    const missing = await cli(['profile', 'test', 'envkey']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toContain('OCTO_TEST_AZURE_KEY');
    const gen = await cli(['generate', 'a fox', '--profile', 'envkey', '--json']);
    expect(gen.code).toBe(4);
    expect(gen.json().error.message).toContain('OCTO_TEST_AZURE_KEY');
    // Refused before anything was recorded.
    expect(await world.db.query(`SELECT 1 FROM video_generations WHERE user_id = $1`, [userId])).toEqual([]);

    const ok = await cli(['profile', 'test', 'envkey', '--json'], { OCTO_TEST_AZURE_KEY: KEY });
    expect(ok.code, ok.stderr).toBe(0);
    const wrong = await cli(['profile', 'test', 'envkey'], { OCTO_TEST_AZURE_KEY: 'not-the-key' });
    expect(wrong.code).not.toBe(0);
  });

  it('--auth azure-cli / entra store no key; show and list say which credential (table and JSON)', async () => {
    expect((await add('cli', '--auth', 'azure-cli')).json()).toMatchObject({ credential: 'azure-cli', api_key_hint: null });
    expect((await add('chain', '--auth', 'entra')).json()).toMatchObject({ credential: 'entra' });
    const keyed = await cli(
      ['profile', 'add', 'keyed', '--endpoint', world.emulator.url, '--deployment', 'd', '--sora-version', 'sora-1', '--api-key-stdin'],
      {},
    );
    expect(keyed.code).not.toBe(0); // stdin empty: the key is empty
    const stored = await runCli(
      ['profile', 'add', 'keyed', '--endpoint', world.emulator.url, '--deployment', 'd', '--sora-version', 'sora-1', '--api-key-stdin'],
      {
        env,
        stdin: KEY,
      },
    );
    expect(stored.code, stored.stderr).toBe(0);
    expect(stored.stdout).toContain('api key …1234');

    const rows = await world.db.query<{ name: string; api_key: string }>(`SELECT name, api_key FROM profiles_config WHERE user_id = $1 ORDER BY name`, [
      userId,
    ]);
    expect(Object.fromEntries(rows.map((r) => [r.name, r.api_key]))).toMatchObject({ cli: '', chain: '', keyed: KEY });

    const list = (await cli(['profile', 'list', '--json'])).json();
    expect(Object.fromEntries(list.map((p: { name: string; credential: string }) => [p.name, p.credential]))).toEqual({
      chain: 'entra',
      cli: 'azure-cli',
      envkey: 'api-key-env',
      keyed: 'api-key',
    });
    const table = await runCli(['profile', 'list'], { env, tty: true });
    expect(table.stdout).toContain('CREDENTIAL');
    expect(table.stdout).toContain('env OCTO_TEST_AZURE_KEY');
    expect(table.stdout).toContain('azure-cli');
    expect(table.stdout).toContain('api key …1234');
    expect((await cli(['profile', 'show', 'cli'])).stdout).toMatch(/credential\s+azure-cli/);
    expect(JSON.stringify(list)).not.toContain(KEY);
  });

  it('refuses contradictory flags, bad names and http:// endpoints off this machine (exit 2)', async () => {
    for (const flags of [
      ['--auth', 'azure-cli', '--api-key-env', 'X'],
      ['--auth', 'entra', '--api-key-stdin'],
      ['--api-key-env', 'NOT A NAME'],
      ['--auth', 'password'],
    ]) {
      const r = await add(`bad-${flags.join('')}`, ...flags);
      expect(r.code, flags.join(' ')).toBe(2);
    }
    const http = await cli([
      'profile',
      'add',
      'clear',
      '--endpoint',
      'http://myres.openai.azure.com',
      '--deployment',
      'd',
      '--sora-version',
      'sora-2',
      '--auth',
      'azure-cli',
    ]);
    expect(http.code).toBe(2);
    expect(http.stderr).toContain('must use https://');
    expect(await world.db.query(`SELECT 1 FROM profiles_config WHERE user_id = $1 AND name = 'clear'`, [userId])).toEqual([]);
  });
});

describe('the bearer token cache', () => {
  it('fetches once, shares a fetch between concurrent callers, refreshes five minutes before expiry', async () => {
    let clock = 1_000_000;
    const scopes: unknown[] = [];
    let n = 0;
    const credential = {
      getToken: async (scope: string | string[]) => {
        scopes.push(scope);
        n += 1;
        return { token: `t${n}`, expiresOnTimestamp: clock + 60 * 60_000 };
      },
    };
    const bearer = cachedBearer(
      async () => credential,
      'Azure CLI',
      () => clock,
    );
    expect(await Promise.all([bearer(), bearer(), bearer()])).toEqual(['t1', 't1', 't1']);
    expect(n).toBe(1);
    expect(scopes).toEqual(['https://cognitiveservices.azure.com/.default']);
    clock += 54 * 60_000;
    expect(await bearer()).toBe('t1');
    clock += 2 * 60_000; // within five minutes of expiry
    expect(await bearer()).toBe('t2');
    expect(n).toBe(2);
  });

  it('a credential that fails becomes exit 4 with its first line; an unknown kind is the stored key', async () => {
    const bearer = cachedBearer(async () => ({ getToken: async () => Promise.reject(new Error("Please run 'az login'\nstack…")) }), 'Azure CLI (az)');
    const error = await bearer().catch((e) => e);
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe("Azure CLI (az) gave no token: Please run 'az login'");
    // A row from elsewhere (the web app) with no kind: the type does not promise one, the code copes.
    const noKind = { name: 'p', credential: null, api_key: 'k', api_key_env: null } as unknown as ProfileCredential;
    expect(soraAuth(noKind, {})).toEqual({ apiKey: 'k' });
    expect(() => soraAuth({ name: 'p', credential: 'api-key-env', api_key: '', api_key_env: 'K' }, { K: '  ' })).toThrow(
      /environment variable K, which is not set/,
    );
  });
});
