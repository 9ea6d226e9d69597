import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { runCli } from '../support/run-cli.js';

/** Completion scripts, run in a real bash: what TAB offers after these words. */

const root = join(import.meta.dirname, '..', '..');
let world: World;
let user: TestUser;
let script: string;
let shimDir: string;

beforeAll(async () => {
  world = await startWorld('pg');
  user = await makeUser(world);
  expect((await user.cli(['generate', 'a paper boat', '--profile', 's2', '--json'])).code).toBe(0);
  const bash = await user.cli(['completion', 'bash']);
  expect(bash.code).toBe(0);
  script = join(mkdtempSync(join(tmpdir(), 'octo-compl-')), 'octo.bash');
  writeFileSync(script, bash.stdout);
  // `octo` on PATH, as an installed one would be, with this user's environment.
  shimDir = mkdtempSync(join(tmpdir(), 'octo-bin-'));
  const exports = Object.entries(user.env)
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'`)
    .join('\n');
  writeFileSync(join(shimDir, 'octo'), `#!/bin/sh\n${exports}\nexec '${process.execPath}' '${join(root, 'bin', 'octo.js')}' "$@"\n`);
  chmodSync(join(shimDir, 'octo'), 0o755);
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** What bash offers for `octo WORDS…` with the cursor on the last word. */
function tab(...words: string[]): string[] {
  const all = ['octo', ...words];
  const program = `source '${script}'; COMP_WORDS=(${all.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${all.length - 1}; _octo; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync('bash', ['--norc', '--noprofile', '-c', program], { encoding: 'utf8', env: { PATH: `${shimDir}:${process.env.PATH}` } });
  return out.split('\n').filter(Boolean).sort();
}

describe('octo completion bash, in bash', () => {
  it('offers only real commands, from the command tree', () => {
    expect(tab('b')).toEqual([]);
    expect(tab('c')).toEqual(['completion', 'config', 'costs']);
    expect(tab('profile', '')).toEqual(expect.arrayContaining(['add', 'list', 'remove', 'show', 'test', 'update', 'use']));
    expect(tab('costs', 'budget', '')).toEqual(['clear', 'set', 'show']);
    expect(tab('')).not.toContain('__complete');
  });

  it("offers each command's own flags and their values", () => {
    expect(tab('generate', '--se')).toEqual(['--seconds']);
    expect(tab('videos', 'list', '--')).toEqual(expect.arrayContaining(['--limit', '--search', '--json', '--profile']));
    expect(tab('videos', 'list', '--')).not.toContain('--seconds');
    expect(tab('jobs', 'list', '--status', '')).toEqual(['canceled', 'cancelled', 'completed', 'failed', 'queued', 'running']);
    expect(tab('config', 'get', 'download')).toEqual(['download-dir']);
  });

  it('offers profile names and ids from the database', async () => {
    expect(tab('profile', 'use', '')).toEqual(['s1', 's2']);
    expect(tab('--profile', '')).toEqual(['s1', 's2']);
    const [video] = (await user.cli(['videos', 'list', '--json'])).json();
    expect(tab('videos', 'show', '')).toEqual([video.id.slice(0, 8)]);
    const [job] = (await user.cli(['jobs', 'list', '--json'])).json();
    expect(tab('jobs', 'cancel', '')).toEqual([job.id.slice(0, 8)]);
  }, 30_000);

  it('prints real zsh and fish scripts with install steps; an unknown shell is exit 2', async () => {
    const zsh = (await runCli(['completion', 'zsh'], { env: user.env })).stdout;
    expect(zsh).toMatch(/^#compdef octo\n/);
    expect(zsh).not.toContain('bashcompinit');
    expect(zsh).toContain("'--seconds:duration");
    expect(zsh).toContain('compdef _octo octo');
    const fish = (await runCli(['completion', 'fish'], { env: user.env })).stdout;
    expect(fish).toContain("complete -c octo -n '__octo_is '\\''generate'\\''' -l seconds -r -f -d");
    expect(fish).toContain('(octo __complete profiles 2>/dev/null)');
    for (const shell of ['zsh', 'fish']) {
      try {
        execFileSync(shell, ['-n'], { input: shell === 'zsh' ? zsh : fish });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        console.warn(`${shell} is not installed: its script was checked as text only`);
      }
    }
    const help = await runCli(['completion', '--help'], { env: user.env });
    expect(help.stdout).toContain('~/.config/fish/completions/octo.fish');
    expect((await runCli(['completion', 'tcsh'], { env: user.env })).code).toBe(2);
  });
});
