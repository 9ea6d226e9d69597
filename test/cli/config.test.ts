import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { cliEnv, runCli } from '../support/run-cli.js';

describe('octo config', () => {
  it('validates generation defaults when set: refused if no model takes them, a warning if one model does not', async () => {
    const env = cliEnv();
    const five = await runCli(['config', 'set', 'default-seconds', '5'], { env });
    expect(five.code).toBe(0);
    expect(five.stderr).toMatch(/warning: sora-2 takes 4, 8, 12 seconds: only sora-1 profiles can use 5/);
    const thirty = await runCli(['config', 'set', 'default-seconds', '30'], { env });
    expect(thirty.code).toBe(2);
    expect(thirty.stderr).toContain('sora-2 4, 8, 12');
    expect((await runCli(['config', 'set', 'default-size', '1000x1000'], { env })).code).toBe(2);
    expect((await runCli(['config', 'set', 'default-size', '1280x720'], { env })).stderr).toBe('');
  });

  it('get shows the default and says it is one; unset brings the default back', async () => {
    const env = cliEnv();
    const unsetGet = await runCli(['config', 'get', 'download-dir', '--json'], { env });
    expect(unsetGet.json()).toEqual({ key: 'download-dir', value: null, default: './octo-videos', is_default: true });
    expect((await runCli(['config', 'set', 'download-dir', '/tmp/v'], { env })).code).toBe(0);
    expect((await runCli(['config', 'get', 'download-dir'], { env })).stdout).toBe('/tmp/v\n');
    const unset = await runCli(['config', 'unset', 'download-dir'], { env });
    expect([unset.code, unset.stdout]).toEqual([0, 'Unset download-dir; the default applies: ./octo-videos.\n']);
    expect((await runCli(['config', 'get', 'download-dir', '--json'], { env })).json().is_default).toBe(true);
    expect((await runCli(['config', 'unset', 'nonsense'], { env })).code).toBe(2);
    const list = await runCli(['config', 'list'], { env, tty: true });
    expect(list.stdout).toMatch(/^download-dir\s+\(default: \.\/octo-videos\)/m);
  });
});

describe('generate with a config default a model does not take', () => {
  let world: World;
  let user: TestUser;
  beforeAll(async () => {
    world = await startWorld('pg');
    user = await makeUser(world, { active: 's2' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('names the setting it came from', async () => {
    expect((await user.cli(['config', 'set', 'default-seconds', '5'])).code).toBe(0);
    const r = await user.cli(['generate', 'a paper boat', '--dry-run']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('seconds 5 is not supported by sora-2');
    expect(r.stderr).toContain('(from config default-seconds)');
    expect(r.stderr).toContain('octo config unset default-seconds');
    expect((await user.cli(['generate', 'a paper boat', '--dry-run', '--seconds', '8'])).code).toBe(0);
  });
});
