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
    // Before anything is spent: what the check proved, what it cannot tell, and Azure's schedule for the model.
    const august = () => new Date('2026-08-01T12:00:00Z');
    const added = await runCli(add, { env, stdin: 'doctor-key\n', overrides: { now: august } });
    expect(added.code).toBe(0);
    expect(added.stderr).toContain(
      "Checked: the endpoint and the credential. Not checked: whether deployment 'sora-2' exists and its model still serves: Azure says so only at a create, which it then refuses without billing.",
    );
    expect(added.stderr).toContain(
      'Model sora-2 (guessed from the deployment name; set it with --model): sora-2 2025-10-06 retired on 2026-07-15 and sora-2 2025-12-08 retires on 2026-10-15',
    );
    const after = await runCli(['doctor', '--json'], { env, overrides: { now: august } });
    expect(after.code).toBe(0);
    expect(after.json().map((c: { check: string; status: string }) => [c.check, c.status])).toEqual([
      ['config', 'ok'],
      ['database', 'ok'],
      ['session', 'ok'],
      ['profile', 'ok'],
      ['endpoint', 'ok'],
      ['model', 'ok'],
    ]);
    expect(after.json()[5].detail).toContain("not checked: whether deployment 'sora-2' exists");
    expect(after.stdout).not.toContain('doctor-key');

    // Once every sora-2 version is past its date: a warning (not a failure), in doctor and profile test.
    const december = () => new Date('2026-12-04T12:00:00Z');
    const late = await runCli(['doctor', '--json'], { env, overrides: { now: december } });
    expect(late.code).toBe(0);
    expect(late.json()[5]).toMatchObject({ check: 'model', status: 'warn' });
    const tested = await runCli(['profile', 'test'], { env, overrides: { now: december } });
    expect(tested.code).toBe(0);
    expect(tested.stderr).toContain(
      "By Azure's schedule every sora-2 version is retired: unless this deployment runs another, its creates will be refused (nothing billed).",
    );
    const json = await runCli(['profile', 'test', '--json'], { env, overrides: { now: december } });
    expect(json.json()).toMatchObject({ ok: true, model: 'sora-2', model_guessed: true, all_versions_retired: true });
  });
});
