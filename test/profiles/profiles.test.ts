import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/databases.js';
import { transcript } from '../support/run-cli.js';
import { openOwnDb, signedUp, sql, type TestUser } from '../auth/helpers.js';

const KEY_A = 'sk-alice-0123456789-secretA1b2';
const KEY_B = 'sk-bob-9876543210-secretB3c4';
const KEY_ENV = 'sk-env-5555555555-secretE5f6';
const PASSWORD_A = 'alice pass 123';
const PASSWORD_B = 'bob pass 12345';

describe.each(DRIVERS)('profiles on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let emulator: Emulator;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await openOwnDb(database);
    emulator = await startEmulator({ apiKey: KEY_A });
    [alice, bob] = await Promise.all([signedUp(database, 'alice@x.io', PASSWORD_A), signedUp(database, 'bob@x.io', PASSWORD_B)]);
  });
  afterAll(async () => {
    await emulator?.close();
    await db?.close();
    await database?.drop();
  });

  it('adds profiles (both endpoint forms, sora-1/sora-2); the first becomes active; keys masked', async () => {
    const first = await alice.run(
      ['profile', 'add', 'emu', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--json'],
      { stdin: `${KEY_A}\n` },
    );
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ name: 'emu', is_active: true, api_key_hint: '…A1b2' });

    const webForm = 'https://res.openai.azure.com/openai/v1/video/generations/jobs?api-version=preview';
    const second = await alice.run(['profile', 'add', 'web', '--endpoint', webForm, '--deployment', 'sora', '--sora-version', 'sora-1', '--no-check'], {
      env: { AZURE_OPENAI_API_KEY: KEY_ENV },
    });
    expect(second.code, second.stderr).toBe(0);
    const fromEnv = await alice.run(['profile', 'add', 'envy', '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'], {
      env: { AZURE_OPENAI_ENDPOINT: 'https://y.openai.azure.com/openai/v1/videos' },
      stdin: KEY_A,
    });
    expect(fromEnv.code, fromEnv.stderr).toBe(0);

    const before = db.roundTrips;
    const list = await alice.run(['profile', 'list', '--json'], { db });
    expect(db.roundTrips - before).toBe(1);
    expect(list.json()).toEqual([
      expect.objectContaining({ name: 'emu', endpoint: emulator.url, deployment: 'sora-2', sora_version: 'sora-2', is_active: true, api_key_hint: '…A1b2' }),
      expect.objectContaining({ name: 'envy', endpoint: 'https://y.openai.azure.com/openai/v1/videos', is_active: false }),
      expect.objectContaining({ name: 'web', endpoint: webForm, sora_version: 'sora-1', is_active: false, api_key_hint: '…E5f6' }),
    ]);
    for (const row of list.json()) {
      expect(Object.keys(row)).toEqual(expect.arrayContaining(['name', 'endpoint', 'deployment', 'sora_version', 'is_active', 'api_key_hint']));
    }

    const shown = await alice.run(['profile', 'show', 'web', '--json'], { db });
    expect(db.roundTrips - before).toBe(2);
    expect(shown.json()).toMatchObject({ name: 'web', api_key_hint: '…E5f6' });
  });

  it('rejects a bad endpoint, a duplicate name, and refuses to prompt without a terminal', async () => {
    const bad = await alice.run(['profile', 'add', 'x', '--endpoint', 'ftp://nope', '--deployment', 'd', '--sora-version', 'sora-2', '--api-key-stdin'], {
      stdin: KEY_A,
    });
    expect(bad.code).toBe(2);
    const dup = await alice.run(['profile', 'add', 'emu', '--endpoint', emulator.url, '--deployment', 'd', '--sora-version', 'sora-2', '--api-key-stdin'], {
      stdin: KEY_A,
    });
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/already exists/);
    const noKey = await alice.run(['profile', 'add', 'k', '--endpoint', emulator.url, '--deployment', 'd', '--sora-version', 'sora-2']);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain('--api-key-stdin');
    const noVersion = await alice.run(['profile', 'add', 'k', '--endpoint', emulator.url, '--deployment', 'd', '--api-key-stdin'], { stdin: KEY_A });
    expect(noVersion.code).toBe(2);
    expect(noVersion.stderr).toContain('--sora-version');
  });

  it('checks a new profile with one cheap request unless --no-check; profile update changes one in place', async () => {
    const wrong = await alice.run(
      ['profile', 'add', 'wrongkey', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
      { stdin: KEY_B },
    );
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/profile wrongkey does not work/);
    expect(wrong.stderr).toContain('--no-check');
    expect((await alice.run(['profile', 'show', 'wrongkey'])).code).toBe(3);
    const unchecked = await alice.run(
      ['profile', 'add', 'wrongkey', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'],
      { stdin: KEY_B },
    );
    expect(unchecked.code, unchecked.stderr).toBe(0);
    const again = await alice.run(
      ['profile', 'add', 'wrongkey', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
      { stdin: KEY_A },
    );
    expect(again.stderr).toContain('octo profile update wrongkey');
    const refused = await alice.run(['profile', 'update', 'wrongkey', '--api-key-stdin', '--json'], { stdin: KEY_B });
    expect(refused.code).not.toBe(0);
    expect(refused.json().error).toMatchObject({
      message: expect.stringMatching(/^profile wrongkey does not work: /),
      hint: 'nothing was stored; fix the setting, or store it unchecked with --no-check',
    });
    const fixed = await alice.run(['profile', 'update', 'wrongkey', '--api-key-stdin', '--json'], { stdin: KEY_A });
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(fixed.json()).toMatchObject({ name: 'wrongkey', api_key_hint: '…A1b2', deployment: 'sora-2' });
    expect((await alice.run(['profile', 'update', 'wrongkey'])).code).toBe(2);
    expect((await alice.run(['profile', 'update', 'nosuch', '--deployment', 'x'])).code).toBe(3);
    expect((await alice.run(['profile', 'remove', 'wrongkey', '--yes'])).code).toBe(0);
  });

  it('a profile keeps its sora-2 create pace (--creates-per-minute); generate asks the shared quota for it', async () => {
    const add = await alice.run(
      [
        'profile',
        'add',
        'paced',
        '--endpoint',
        emulator.url,
        '--deployment',
        'sora-2-paced',
        '--sora-version',
        'sora-2',
        '--api-key-stdin',
        '--creates-per-minute',
        '7',
        '--json',
      ],
      { stdin: KEY_A },
    );
    expect(add.code, add.stderr).toBe(0);
    expect(add.json()).toMatchObject({ name: 'paced', creates_per_minute: 7 });
    expect((await alice.run(['profile', 'update', 'paced', '--creates-per-minute', 'soon'])).code).toBe(2);
    const kept = await alice.run(['profile', 'update', 'paced', '--deployment', 'sora-2-paced', '--json']);
    expect(kept.json()).toMatchObject({ creates_per_minute: 7 });
    expect((await alice.run(['profile', 'show', 'paced'])).stdout).toContain('creates/min\t7\n');
    // Azure's default when the profile says none; sora-1 is not paced by it.
    expect((await alice.run(['profile', 'show', 'emu'])).stdout).toContain("creates/min\t2 (Azure's default quota)\n");
    expect((await alice.run(['profile', 'show', 'web'])).stdout).toContain('creates/min\tnot paced (sora-1)\n');
    const gen = await alice.run(['generate', 'a paced fox', '--profile', 'paced', '--no-wait', '--json']);
    expect(gen.code, gen.stderr).toBe(0);
    expect(gen.json().job_id).toMatch(/^video_/);
    const pacers = await sql<{ resource: string; creates_per_minute: number }>(
      database,
      `SELECT resource, creates_per_minute FROM octo_create_pacers WHERE resource LIKE '%sora-2-paced%'`,
    );
    expect(pacers.map((p) => p.creates_per_minute)).toEqual([7]);
    const unpaced = await alice.run(['profile', 'update', 'paced', '--creates-per-minute', '0', '--json']);
    expect(unpaced.code, unpaced.stderr).toBe(0);
    expect(unpaced.json()).toMatchObject({ creates_per_minute: 0 });
    expect((await alice.run(['profile', 'show', 'paced'])).stdout).toContain('creates/min\t0 (unpaced)\n');
    expect((await alice.run(['profile', 'remove', 'paced', '--yes'])).code).toBe(0);
  });

  it('a profile names its model (--model); guessed from the deployment name only as a default, and said; prices and sizes follow it', async () => {
    const carol = await signedUp(database, `carol-${kind}@x.io`, 'carol pass 1234');
    const add = (name: string, ...flags: string[]) =>
      carol.run(['profile', 'add', name, '--endpoint', emulator.url, '--api-key-stdin', '--no-check', ...flags], { stdin: KEY_A });
    // --model says the Sora version too.
    const pro = await add('pro', '--deployment', 'video', '--model', 'sora-2-pro', '--json');
    expect(pro.code, pro.stderr).toBe(0);
    expect(pro.json()).toMatchObject({ sora_version: 'sora-2', model: 'sora-2-pro', model_guessed: false });
    expect(pro.stderr).not.toContain('guessed');
    const guessed = await add('guess', '--deployment', 'team-sora-2-pro', '--sora-version', 'sora-2');
    expect(guessed.code, guessed.stderr).toBe(0);
    expect((await carol.run(['profile', 'show', 'guess', '--json'])).json()).toMatchObject({ model: 'sora-2-pro', model_guessed: true });
    expect(guessed.stderr).toContain('Profile guess: model sora-2-pro, guessed from the deployment name; set it with --model.');
    const shown = await carol.run(['profile', 'show', 'guess']);
    expect(shown.stdout).toMatch(/model\s+sora-2-pro \(guessed from the deployment name; set it with --model\)/);
    expect((await carol.run(['profile', 'show', 'pro', '--json'])).json()).toMatchObject({ model: 'sora-2-pro', model_guessed: false });

    // Set, the model stays when the deployment is renamed; sora-1 profiles have no --model.
    const set = await carol.run(['profile', 'update', 'guess', '--model', 'sora-2', '--json']);
    expect(set.code, set.stderr).toBe(0);
    expect(set.json()).toMatchObject({ model: 'sora-2', model_guessed: false });
    const renamed = await carol.run(['profile', 'update', 'guess', '--deployment', 'other-sora-2-pro', '--no-check', '--json']);
    expect(renamed.json()).toMatchObject({ deployment: 'other-sora-2-pro', model: 'sora-2', model_guessed: false });
    const sora1 = await add('old', '--deployment', 'sora', '--sora-version', 'sora-1', '--model', 'sora-2');
    expect(sora1.code).toBe(2);
    expect(sora1.stderr).toContain("--model is for sora-2 profiles: a sora-1 profile's model is sora-1");
    const listed = (await carol.run(['profile', 'list', '--json'])).json();
    expect(listed.map((p: { name: string; model: string }) => `${p.name} ${p.model}`)).toEqual(['guess sora-2', 'pro sora-2-pro']);

    // The estimate and the sizes go by the profile's model, not the deployment's name.
    const big = await carol.run(['generate', 'a lighthouse', '--profile', 'pro', '--size', '1792x1024', '--dry-run', '--json']);
    expect(big.code, big.stderr).toBe(0);
    expect(big.json()).toMatchObject({ model: 'sora-2-pro', size: '1792x1024', estimated_cost: 2 });
    const refused = await carol.run(['generate', 'a lighthouse', '--profile', 'guess', '--size', '1792x1024', '--dry-run']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('(that size needs sora-2-pro)');
    const help = await carol.run(['profile', 'add', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('sora-2 (720x1280, 1280x720) or sora-2-pro (also 1024x1792, 1792x1024)');
    for (const name of ['pro', 'guess']) expect((await carol.run(['profile', 'remove', name, '--yes'])).code).toBe(0);
  });

  it("a new profile name is one plain word; a stored name that is not (the web app's) works and is quoted in hints", async () => {
    for (const bad of ['bad name!', `x'); DELETE FROM profiles_config;--`, '.hidden', ' ', 'é', 'a'.repeat(65)]) {
      const refused = await alice.run(
        ['profile', 'add', bad, '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
        {
          stdin: KEY_A,
        },
      );
      expect(refused.code, bad).toBe(2);
      expect(refused.stderr).toContain('use 1 to 64 letters, digits, -, _ and ., starting with a letter or digit');
    }
    const ok = await alice.run(
      ['profile', 'add', 'eu-2.prod_x', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
      {
        stdin: KEY_A,
      },
    );
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.stdout).toContain('make it active with: octo profile use eu-2.prod_x.');
    expect((await alice.run(['profile', 'remove', 'eu-2.prod_x', '--yes'])).code).toBe(0);

    // Written by another client: SQL metacharacters stored literally, and every hint quotes the name for a shell.
    const name = `x'); DELETE FROM profiles_config;-- bad name!`;
    const { id } = (await alice.run(['whoami', '--json'])).json();
    await sql(
      database,
      `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active, credential, api_key_env)
       VALUES ($1, $2, $3, '', 'd"; --', 'sora-2', FALSE, 'api-key-env', 'OCTO_TEST_UNSET_KEY')`,
      [id, name, emulator.url],
    );
    expect((await alice.run(['profile', 'show', name, '--json'])).json()).toMatchObject({ name, deployment: 'd"; --' });
    const quotedName = `'x'\\''); DELETE FROM profiles_config;-- bad name!'`;
    const updated = await alice.run(['profile', 'update', name, '--deployment', 'sora-2']);
    expect(updated.code, updated.stderr).toBe(0);
    expect(updated.stderr).toContain(`Not checked: run octo profile test ${quotedName} once`);
    // A queued job on it: the warning names the status the job has.
    await sql(
      database,
      `INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, generation_mode, estimated_cost, profile_name, status)
       VALUES ($1, 'waiting', 'sora-2', 4, '720x1280', 'text-to-video', 0.4, $2, 'queued')`,
      [id, name],
    );
    const unconfirmed = await alice.run(['profile', 'remove', name]);
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain('pass --yes');
    expect(unconfirmed.stderr).toContain('1 unfinished job(s) (1 queued): octo jobs list --status queued');
    const listed = await alice.run(['jobs', 'list', '--status', 'queued', '--json']);
    expect(listed.json().map((j: any) => j.profile_name)).toContain(name);
    expect((await alice.run(['profile', 'remove', name, '--yes'])).code).toBe(0);
    expect(await sql(database, 'SELECT count(*)::int AS n FROM profiles_config')).toEqual([{ n: 3 }]);
    await sql(database, `DELETE FROM video_generations WHERE user_id = $1 AND prompt = 'waiting'`, [id]);
  });

  it('switches the active profile; exactly one stays active under concurrent `profile use`', async () => {
    expect((await alice.run(['profile', 'use', 'web'])).code).toBe(0);
    for (let round = 0; round < 4; round += 1) {
      const results = await Promise.all(['emu', 'web', 'envy', 'emu', 'web'].map((name) => alice.run(['profile', 'use', name])));
      expect(results.map((r) => r.code)).toEqual([0, 0, 0, 0, 0]);
      const active = await sql<{ n: number }>(
        database,
        `SELECT count(*)::int AS n FROM profiles_config p JOIN users u ON u.id = p.user_id WHERE u.email = 'alice@x.io' AND p.is_active`,
      );
      expect(active).toEqual([{ n: 1 }]);
    }
    expect((await alice.run(['profile', 'use', 'emu'])).code).toBe(0);
    expect((await alice.run(['profile', 'use', 'nope'])).code).toBe(3);
  });

  it('profile test calls the service with the active profile, --profile or OCTO_PROFILE', async () => {
    const ok = await alice.run(['profile', 'test', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json()).toMatchObject({ name: 'emu', ok: true, latency_ms: expect.any(Number) });

    // The key for "web" is not the emulator's: a typed failure naming the endpoint problem, key never shown.
    const wrongKey = await alice.run(
      ['profile', 'add', 'emu-bad', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'],
      { stdin: KEY_ENV },
    );
    expect(wrongKey.code).toBe(0);
    const refused = await alice.run(['profile', 'test', 'emu-bad']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).not.toContain(KEY_ENV);
    const viaFlag = await alice.run(['--profile', 'emu-bad', 'profile', 'test']);
    expect(viaFlag.code).toBe(1);
    const viaEnv = await alice.run(['profile', 'test'], { env: { OCTO_PROFILE: 'emu-bad' } });
    expect(viaEnv.code).toBe(1);
    expect((await alice.run(['profile', 'test'], { env: { OCTO_PROFILE: 'missing' } })).code).toBe(3);
  });

  it('two first profiles added at once: both are added, exactly one active', async () => {
    const carol = await signedUp(database, 'carol@x.io', PASSWORD_B);
    const add = (name: string) =>
      carol.run(
        ['profile', 'add', name, '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--json', '--no-check'],
        { stdin: KEY_B },
      );
    const results = await Promise.all([add('c1'), add('c2')]);
    expect(results.map((r) => r.code)).toEqual([0, 0]);
    expect(results.map((r) => r.json().is_active).sort()).toEqual([false, true]);
  });

  it('profile list and show report sora_version as generate reads it (anything but sora-2 is sora-1)', async () => {
    const dave = await signedUp(database, 'dave@x.io', 'dave pass 123');
    const { id } = (await dave.run(['whoami', '--json'])).json();
    // Spellings octo never writes but a row may hold (the web app, a hand edit).
    await sql(
      database,
      `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version, is_active)
      VALUES ($1, 'odd', 'https://odd.openai.azure.com', 'sk-odd-0000000000-secret', 'sora', 'Sora-2', TRUE),
             ($1, 'old', 'https://old.openai.azure.com', 'sk-old-0000000000-secret', 'sora', NULL, FALSE)`,
      [id],
    );
    const list = await dave.run(['profile', 'list', '--json']);
    expect(list.code, list.stderr).toBe(0);
    expect(list.json().map((p: any) => [p.name, p.sora_version])).toEqual([
      ['odd', 'sora-1'],
      ['old', 'sora-1'],
    ]);
    expect((await dave.run(['profile', 'show', 'odd', '--json'])).json().sora_version).toBe('sora-1');
  });

  it("user A gets 'not found' for each of B's profiles", async () => {
    const added = await bob.run(
      ['profile', 'add', 'bobs', '--endpoint', emulator.url, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'],
      { stdin: KEY_B },
    );
    expect(added.code, added.stderr).toBe(0);
    for (const argv of [
      ['profile', 'show', 'bobs'],
      ['profile', 'use', 'bobs'],
      ['profile', 'remove', 'bobs'],
      ['profile', 'test', 'bobs'],
      ['--profile', 'bobs', 'profile', 'test'],
    ]) {
      const result = await alice.run(argv);
      expect(result.code, argv.join(' ')).toBe(3);
    }
    expect((await alice.run(['profile', 'list', '--json'])).json().map((p: { name: string }) => p.name)).not.toContain('bobs');
    expect((await bob.run(['profile', 'show', 'bobs', '--json'])).json()).toMatchObject({ name: 'bobs', is_active: true });
    // B's sessions are B's: A's logout --all leaves them alone.
    expect((await alice.run(['logout', '--all'])).code).toBe(0);
    expect((await bob.run(['whoami'])).code).toBe(0);
    expect((await alice.run(['profile', 'list'])).code).toBe(4);
  });
});

describe('output of every command in this file', () => {
  it('never contains an API key or a password', () => {
    expect(transcript.length).toBeGreaterThan(20);
    const all = transcript.join('\n');
    for (const secret of [KEY_A, KEY_B, KEY_ENV, PASSWORD_A, PASSWORD_B]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.slice(0, -4));
    }
  });
});
