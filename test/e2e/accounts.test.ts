import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type DriverKind, type TestDatabase } from '../support/databases.js';
import { cliEnv } from '../support/run-cli.js';

/** The "Done when" list, through the built binary (`node bin/octo.js`), non-interactively. */

const bin = join(import.meta.dirname, '..', '..', 'bin', 'octo.js');
const API_KEY = 'sk-e2e-0000111122223333-k9z8';
const PASSWORD = 'e2e password 1';

function octo(args: string[], env: Record<string, string>, stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [bin, ...args], { env, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
    child.stdin?.end(stdin ?? '');
  });
}

describe.each<DriverKind>(['embedded', 'pg'])('the built binary on %s', (kind) => {
  let database: TestDatabase;
  let env: Record<string, string>;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    env = cliEnv(database.env);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('signup, profile add, profile list --json, whoami --json, logout', async () => {
    const signup = await octo(['signup', '--email', 'a@x.io', '--name', 'A', '--password-stdin'], env, `${PASSWORD}\n`);
    expect(signup.code, signup.stderr).toBe(0);

    const add = await octo(
      ['profile', 'add', 'p1', '--endpoint', 'http://127.0.0.1:9/', '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'],
      env,
      API_KEY,
    );
    expect(add.code, add.stderr).toBe(0);

    const list = await octo(['profile', 'list', '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([
      expect.objectContaining({
        name: 'p1',
        endpoint: 'http://127.0.0.1:9/',
        deployment: 'sora-2',
        sora_version: 'sora-2',
        is_active: true,
        api_key_hint: '…k9z8',
      }),
    ]);

    const who = await octo(['whoami', '--json'], env);
    expect(who.code, who.stderr).toBe(0);
    expect(JSON.parse(who.stdout)).toMatchObject({ email: 'a@x.io', name: 'A', database: kind === 'embedded' ? 'embedded' : expect.stringMatching(/^[^@]+$/) });

    const test = await octo(['profile', 'test', '--json'], env);
    expect(test.code).toBe(1);
    expect(JSON.parse(test.stdout).error).toMatchObject({ code: 'failure' });

    const logout = await octo(['logout'], env);
    expect(logout.code, logout.stderr).toBe(0);
    const after = await octo(['whoami', '--json'], env);
    expect(after.code).toBe(4);
    expect(JSON.parse(after.stdout).error).toMatchObject({ code: 'auth', hint: 'run: octo login' });

    for (const output of [signup, add, list, who, test, logout, after]) {
      expect(output.stdout + output.stderr).not.toContain(API_KEY.slice(0, -4));
      expect(output.stdout + output.stderr).not.toContain(PASSWORD);
    }
  });

  it('refuses to prompt when stdin is not a terminal (exit 2, names the flag)', async () => {
    const login = await octo(['login', '--email', 'a@x.io'], env);
    expect(login.code).toBe(2);
    expect(login.stderr).toContain('--password-stdin');
  });
});
