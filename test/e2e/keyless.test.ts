import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/server.js';
import type { Emulator } from '../../src/emulator/types.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { fakeAz, networkGuard } from '../support/fake-az.js';
import { cliEnv } from '../support/run-cli.js';

/**
 * The "Done when": `octo profile add --auth azure-cli` then `octo generate` works against
 * the emulator with a token from a fake `az`, and nothing of the token is in the database or the
 * config. Through the built binary, so @azure/identity runs as users get it. No credential chain
 * can reach the network: instance metadata and any proxy point at a loopback guard that must see
 * nothing, and the `entra` chain is limited to its developer credentials (AZURE_TOKEN_CREDENTIALS=dev:
 * no managed identity).
 */

const bin = join(import.meta.dirname, '..', '..', 'bin', 'octo.js');
const TOKEN = `eyJ0eXAiOiJKV1QifQ.eyJhdWQiOiJjb2duaXRpdmUifQ.fake-entra-token-${Date.now()}`;

function octo(args: string[], env: Record<string, string>, stdin = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin);
  });
}

let database: TestDatabase;
let emulator: Emulator;
let guard: Awaited<ReturnType<typeof networkGuard>>;
beforeAll(async () => {
  database = await createTestDatabase('pg');
  // The emulator takes only `Authorization: Bearer <this token>` (api-key headers are refused):
  // a generate that succeeds sent the fake az's token.
  emulator = await startEmulator({ bearerToken: TOKEN, jobMs: 200, early404Ms: 0 });
  guard = await networkGuard();
});
afterAll(async () => {
  await emulator?.close();
  await guard?.close();
  await database?.drop();
});

async function everyStoredText(): Promise<string> {
  const client = new pg.Client({ connectionString: database.inspectUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_name: string }>(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    );
    let all = '';
    for (const { table_name } of tables.rows) {
      const rows = await client.query(`SELECT to_jsonb(t)::text AS row FROM "${table_name}" t`);
      all += rows.rows.map((r) => r.row).join('\n');
    }
    return all;
  } finally {
    await client.end();
  }
}

describe('keyless Azure through the built binary', () => {
  it('profile add --auth azure-cli, then generate: a Bearer token from az, cached in memory, stored nowhere', async () => {
    const az = fakeAz(TOKEN);
    const env: Record<string, string> = { ...cliEnv(database.env), ...guard.env, PATH: `${az.dir}:${process.env.PATH}` };
    expect((await octo(['signup', '--email', 'cli@x.io', '--password-stdin'], env, 'keyless pass 1\n')).code).toBe(0);
    const add = await octo(
      ['profile', 'add', 'work', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--auth', 'azure-cli', '--json'],
      env,
    );
    expect(add.code, add.stderr).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ name: 'work', credential: 'azure-cli', api_key_env: null, api_key_hint: null });
    expect(az.calls()).toEqual([]); // adding a profile fetches nothing

    const out = mkdtempSync(join(tmpdir(), 'octo-keyless-'));
    const gen = await octo(['generate', 'a lighthouse in fog', '--out', out, '--json'], env);
    expect(gen.code, gen.stderr).toBe(0);
    const result = JSON.parse(gen.stdout);
    expect(result.status).toBe('completed');
    expect(existsSync(result.files[0])).toBe(true);
    // One az call for the whole run (the early check, create, polls, downloads): the token is cached.
    expect(az.calls()).toHaveLength(1);
    expect(az.calls()[0]).toMatch(/^account get-access-token --output json --resource https:\/\/cognitiveservices\.azure\.com/);

    const show = await octo(['profile', 'show', 'work'], env);
    expect(show.stdout).toMatch(/credential\s+azure-cli/);
    expect(JSON.parse((await octo(['profile', 'list', '--json'], env)).stdout)[0]).toMatchObject({ credential: 'azure-cli', api_key_hint: null });

    const secretPart = TOKEN.split('.')[2] ?? TOKEN;
    expect(await everyStoredText()).not.toContain(secretPart);
    expect(readFileSync(join(env.OCTO_CONFIG_DIR ?? '', 'config.json'), 'utf8')).not.toContain(secretPart);
    expect(gen.stdout + gen.stderr + add.stdout + show.stdout).not.toContain(secretPart);
    expect(guard.hits).toEqual([]);
  });

  it('az not logged in: exit 4 with the reason and "az login", nothing recorded', async () => {
    const az = fakeAz(TOKEN, { fail: "ERROR: Please run 'az login' to setup account." });
    const env: Record<string, string> = { ...cliEnv(database.env), ...guard.env, PATH: `${az.dir}:${process.env.PATH}` };
    expect((await octo(['signup', '--email', 'nolog@x.io', '--password-stdin'], env, 'keyless pass 2\n')).code).toBe(0);
    expect(
      (await octo(['profile', 'add', 'w', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--auth', 'azure-cli'], env)).code,
    ).toBe(0);
    const gen = await octo(['generate', 'a quiet harbour', '--out', mkdtempSync(join(tmpdir(), 'octo-keyless-'))], env);
    expect(gen.code, gen.stderr).toBe(4);
    expect(gen.stderr).toContain('Azure CLI');
    expect(gen.stderr).toContain('az login');
    expect(JSON.parse((await octo(['jobs', 'list', '--json'], env)).stdout)).toEqual([]);
    expect(guard.hits).toEqual([]);
  });

  it('--auth entra: the standard chain (its developer half here, so no managed-identity probe) gets the token from az', async () => {
    const az = fakeAz(TOKEN);
    const env: Record<string, string> = { ...cliEnv(database.env), ...guard.env, PATH: `${az.dir}:${process.env.PATH}`, AZURE_TOKEN_CREDENTIALS: 'dev' };
    expect((await octo(['signup', '--email', 'entra@x.io', '--password-stdin'], env, 'keyless pass 3\n')).code).toBe(0);
    const add = await octo(
      ['profile', 'add', 'e', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--auth', 'entra', '--json'],
      env,
    );
    expect(JSON.parse(add.stdout)).toMatchObject({ credential: 'entra', api_key_hint: null });
    const test = await octo(['profile', 'test', '--json'], env);
    expect(test.code, test.stderr).toBe(0);
    expect(JSON.parse(test.stdout)).toMatchObject({ name: 'e', ok: true });
    expect(az.calls()).toHaveLength(1);
    expect(guard.hits).toEqual([]);
  });
});
