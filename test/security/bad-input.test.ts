import { chmodSync, chownSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { octoProcess } from '../e2e/octo-process.js';
import { makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { cliEnv, runCli } from '../support/run-cli.js';

/**
 * Bad input from the user's side (issue 22, "Bad input"): each one ends at once with a clear
 * error (exit 2 where it is the user's to fix), and nothing is recorded or sent.
 */

let world: World;
let user: TestUser;

beforeAll(async () => {
  world = await startWorld('pg');
  user = await makeUser(world, { active: 's2' });
});
afterAll(async () => {
  await world?.close();
});

const recorded = async () => (await user.cli(['jobs', 'list', '--json', '--limit', '100'])).json().length as number;

describe('bad input', () => {
  it('generate --out /proc/x ends with exit 2 (Node 20’s recursive mkdir there never returns)', async () => {
    const before = await recorded();
    // The built CLI in its own process: a hang is killed, not left holding this worker's threads.
    const run = octoProcess(user, ['generate', 'a lake at dawn', '--out', '/proc/octo-no-such/videos']);
    const killer = setTimeout(() => run.child.kill('SIGKILL'), 30_000);
    const done = await run.done;
    clearTimeout(killer);
    expect(done.signal, 'octo hung and was killed').toBeNull();
    expect(done.code, done.stderr).toBe(2);
    expect(done.stderr).toContain('/proc/octo-no-such/videos is not writable');
    expect(await recorded()).toBe(before);
    expect(world.emulator.stats.creates['sora-2']).toBe(0);
  });

  it('an integer flag past what it can hold is a usage error (exit 2), for every integer flag', async () => {
    const huge = '99999999999999999999';
    for (const argv of [
      ['videos', 'list', '--limit', huge],
      ['jobs', 'list', '--limit', huge],
      ['generate', 'x', '--concurrency', huge, '--dry-run'],
      ['generate', 'x', '--creates-per-minute', huge, '--dry-run'],
      ['jobs', 'wait', '--all', '--concurrency', huge],
      ['generate', 'x', '--timeout', `${huge}h`, '--dry-run'],
      ['emulator', '--port', '70000'],
      ['emulator', '--seed', huge],
    ]) {
      const r = await user.cli(argv);
      expect(r.code, `${argv.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/--(limit|concurrency|creates-per-minute|timeout|port|seed) must be/);
      expect(r.stderr).not.toMatch(/database error|out of range/);
    }
    const ok = await user.cli(['videos', 'list', '--limit', '2147483647', '--json']);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('a prompt longer than the APIs take is refused before anything is recorded: alone, and as a batch line with its file:line', async () => {
    const before = await recorded();
    const long = 'a'.repeat(10 * 1024 * 1024);
    const one = await user.cli(['generate', long, '--out', join(user.out, 'long')]);
    expect(one.code, one.stderr.slice(0, 300)).toBe(2);
    expect(one.stderr).toContain('longer than the 32,000 characters');
    // 32,000 characters (code points: an emoji is one) pass the check.
    const atLimit = await user.cli(['generate', '🦊'.repeat(32_000), '--dry-run', '--json']);
    expect(atLimit.code, atLimit.stderr.slice(0, 300)).toBe(0);

    const file = join(user.out, 'long.txt');
    writeFileSync(file, `a short prompt\n${'b'.repeat(32_001)}\n`);
    const batch = await user.cli(['generate', '--file', file, '--out', join(user.out, 'long')]);
    expect(batch.code, batch.stderr.slice(0, 300)).toBe(2);
    expect(batch.stderr).toContain(`${file}:2: the prompt is longer than the 32,000 characters`);
    expect(await recorded()).toBe(before);
    expect(world.emulator.stats.creates['sora-2']).toBe(0);
  });

  it('a config.json open to others (0666) is set to 0600, with a warning on stderr', async () => {
    const env = cliEnv();
    const path = join(env.OCTO_CONFIG_DIR, 'config.json');
    writeFileSync(path, JSON.stringify({ settings: { 'download-dir': '/tmp/v' } }));
    chmodSync(path, 0o666);
    const r = await runCli(['config', 'get', 'download-dir'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('/tmp/v');
    expect(r.stderr).toContain(`warning: ${path} was readable by others (mode 0666)`);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    // Once private, nothing more is said.
    const again = await runCli(['config', 'get', 'download-dir'], { env });
    expect(again.stderr).toBe('');
  });

  it('a config folder open to others (0777) is set to 0700; a shared sticky one (1777, as /tmp) is only warned about', async () => {
    const env = cliEnv();
    const path = join(env.OCTO_CONFIG_DIR, 'config.json');
    writeFileSync(path, JSON.stringify({ settings: { 'download-dir': '/tmp/v' } }), { mode: 0o600 });
    chmodSync(env.OCTO_CONFIG_DIR, 0o777);
    const r = await runCli(['config', 'get', 'download-dir'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain(`warning: ${env.OCTO_CONFIG_DIR} was open to others (mode 0777); it holds your session, so octo set it to 0700`);
    expect(statSync(env.OCTO_CONFIG_DIR).mode & 0o7777).toBe(0o700);
    expect((await runCli(['config', 'get', 'download-dir'], { env })).stderr).toBe('');
    // Not octo's to close: a sticky folder stays as it is, and a write there warns too.
    chmodSync(env.OCTO_CONFIG_DIR, 0o1777);
    const shared = await runCli(['config', 'set', 'download-dir', '/tmp/w'], { env });
    expect(shared.code, shared.stderr).toBe(0);
    expect(shared.stderr.match(/is a folder others can write in/g), shared.stderr).toHaveLength(1);
    expect(shared.stderr).toContain(`warning: ${env.OCTO_CONFIG_DIR} is a folder others can write in (mode 1777): they could replace config.json`);
    expect(statSync(env.OCTO_CONFIG_DIR).mode & 0o7777).toBe(0o1777);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  // Making a file another user's takes root (as on this project's CI machine).
  it.skipIf(process.getuid?.() !== 0)(
    'a config.json another user owns, found where others could write, is refused (never used, never written into)',
    async () => {
      const env = cliEnv();
      const path = join(env.OCTO_CONFIG_DIR, 'config.json');
      writeFileSync(path, JSON.stringify({ settings: { 'download-dir': '/tmp/planted' } }), { mode: 0o666 });
      chmodSync(path, 0o666);
      chownSync(path, 65534, 65534);
      chmodSync(env.OCTO_CONFIG_DIR, 0o777);
      const r = await runCli(['config', 'get', 'download-dir'], { env });
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(`${path} belongs to another user (uid 65534) and sat where others could write it: octo does not use it`);
      const set = await runCli(['config', 'set', 'download-dir', '/tmp/mine'], { env });
      expect(set.code).toBe(2);
      expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ settings: { 'download-dir': '/tmp/planted' } });
    },
  );

  it('a config folder open to others with no config.json yet is closed too; a folder that is a file is named as such', async () => {
    const env = cliEnv();
    chmodSync(env.OCTO_CONFIG_DIR, 0o777);
    const r = await runCli(['config', 'list'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('was open to others (mode 0777)');
    expect(statSync(env.OCTO_CONFIG_DIR).mode & 0o7777).toBe(0o700);
    const file = join(env.OCTO_CONFIG_DIR, 'not-a-folder');
    writeFileSync(file, 'hi');
    const notDir = await runCli(['config', 'list'], { env: { ...env, OCTO_CONFIG_DIR: file } });
    expect(notDir.code).toBe(2);
    expect(notDir.stderr).toContain(`the config folder ${file} is a file, not a folder`);
  });

  it('an unreachable database is reported as unreachable, with its host and no password, not as "not logged in"', async () => {
    const env = cliEnv();
    const closedPort = 'postgres://bob:s3cret-pw@127.0.0.1:9/octo';
    for (const argv of [['videos', 'list'], ['jobs', 'list', '--json'], ['costs']]) {
      const r = await runCli([...argv, '--database-url', closedPort], { env });
      expect(r.code, r.stderr).toBe(1);
      // --json: the error is the JSON on stdout.
      const said = argv.includes('--json') ? r.json().error.message : r.stderr;
      expect(said).toContain('cannot reach the database at 127.0.0.1:9');
      expect(r.stderr + r.stdout).not.toContain('not logged in');
      expect(r.stderr + r.stdout).not.toContain('s3cret-pw');
    }
    // Reachable but no session: still "not logged in".
    const r = await runCli(['videos', 'list'], { env: { ...env, ...world.database.env } });
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('not logged in');
  });
});
