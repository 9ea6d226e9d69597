import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { localTime } from '../../src/output/format.js';
import { capture } from '../support/defined.js';

describe('octo doctor', () => {
  let database: TestDatabase;
  let emulator: Emulator;
  beforeAll(async () => {
    database = await createTestDatabase('pg');
    emulator = await startEmulator({ apiKey: 'doctor-key' });
  });
  afterAll(async () => {
    await emulator?.close();
    await database?.drop();
  });

  it('walks config, database, session, profile and endpoint, and exits 1 while one fails', async () => {
    const env = cliEnv(database.env);
    const before = await runCli(['doctor', '--json'], { env });
    expect(before.code).toBe(1);
    expect(before.json().map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ['config', 'ok'],
      ['database', 'ok'],
      ['session', 'fail'],
      ['profile', 'skip'],
      ['endpoint', 'skip'],
    ]);

    expect((await runCli(['signup', '--email', 'doc@x.io', '--name', 'Doc', '--password-stdin'], { env, stdin: 'password-123\n' })).code).toBe(0);
    // No profile yet: the session row stays, the profile row says what is missing.
    const noProfile = await runCli(['doctor', '--json'], { env });
    expect(noProfile.code).toBe(1);
    const checks = noProfile.json();
    expect(checks.map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ['config', 'ok'],
      ['database', 'ok'],
      ['session', 'ok'],
      ['profile', 'fail'],
      ['endpoint', 'skip'],
    ]);
    // Piped: the expiry in ISO 8601 (UTC); at a terminal: local minutes and how far off.
    const iso = capture(/expires (\S+Z)$/, checks[2].detail);
    const tz = { ...env, TZ: 'Asia/Kolkata' };
    const atTerminal = await runCli(['doctor'], { env: tz, tty: true });
    expect(atTerminal.stdout).toContain(`doc@x.io, expires ${localTime(new Date(iso), 'Asia/Kolkata')} (in 7 days)`);
    expect(atTerminal.stdout).not.toContain(iso.slice(0, 16));
    const add = ['profile', 'add', 'emu', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'];
    expect((await runCli(add, { env, stdin: 'doctor-key\n' })).code).toBe(0);
    const after = await runCli(['doctor', '--json'], { env });
    expect(after.code).toBe(0);
    expect(after.json().map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ['config', 'ok'],
      ['database', 'ok'],
      ['session', 'ok'],
      ['profile', 'ok'],
      ['endpoint', 'ok'],
    ]);
    expect(after.stdout).not.toContain('doctor-key');
  });
});
