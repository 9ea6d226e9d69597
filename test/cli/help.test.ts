import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { defineCommand, type OptionsOf } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands.js';
import { helpToFlag } from '../../src/cli/program.js';
import { positiveInt } from '../../src/cli/flag-parsers.js';
import { cliEnv, runCli } from '../support/run-cli.js';

describe('help', () => {
  it('octo help X prints exactly what octo X --help prints, for every command', async () => {
    const env = cliEnv();
    for (const entry of COMMANDS.filter((c) => !c.hidden)) {
      const words = entry.name.split(' ');
      const flag = await runCli([...words, '--help'], { env });
      const help = await runCli(['help', ...words], { env });
      expect(flag.code, entry.name).toBe(0);
      expect(help.stdout, entry.name).toBe(flag.stdout);
      // The summary is the manifest's, and the global flags are listed as inherited.
      expect(flag.stdout.replace(/\s+/g, ' '), entry.name).toContain(entry.summary);
      expect(flag.stdout, entry.name).toMatch(/Global Options:[\s\S]*--json[\s\S]*--csv[\s\S]*--profile <name>/);
    }
  });

  it('octo GROUP help VERB is the verb\'s --help too; a prompt "help" stays a prompt', async () => {
    const env = cliEnv();
    const a = await runCli(['profile', 'help', 'add'], { env });
    const b = await runCli(['profile', 'add', '--help'], { env });
    expect(a.stdout).toBe(b.stdout);
    expect(a.stdout).toContain('--endpoint <url>');
    expect(helpToFlag(['generate', 'help'])).toEqual(['generate', 'help']);
    expect(helpToFlag(['--json', 'help', 'jobs', 'list'])).toEqual(['--json', 'jobs', 'list', '--help']);
  });

  it('a usage error names the help of the command that was run; an unknown command is an error, also after help', async () => {
    const env = cliEnv();
    const flag = await runCli(['jobs', 'list', '--bogus'], { env });
    expect([flag.code, flag.stderr]).toEqual([2, "error: unknown option '--bogus'\nsee: octo jobs list --help\n"]);
    const extra = await runCli(['whoami', 'extra'], { env });
    expect([extra.code, extra.stderr.split('\n')[1]]).toEqual([2, 'see: octo whoami --help']);
    for (const argv of [
      ['help', 'nope'],
      ['nope', '--help'],
    ]) {
      const r = await runCli(argv, { env });
      expect([r.code, r.stdout, r.stderr], argv.join(' ')).toEqual([2, '', 'error: unknown command "nope" for "octo"\nsee: octo --help\n']);
    }
  });

  it('--help has no side effects: no database is created, no server started (issue 23, item 8)', async () => {
    const dataDir = join(mkdtempSync(join(tmpdir(), 'octo-help-')), 'data');
    const env = cliEnv({ OCTO_DATA_DIR: dataDir });
    for (const argv of [
      ['signup', '--help'],
      ['help', 'generate'],
      ['jobs', 'list', '-h'],
    ]) {
      const r = await runCli(argv, { env });
      expect(r.code, argv.join(' ')).toBe(0);
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('keeps an indented line of a description on its own line (octo completion --help)', async () => {
    const r = await runCli(['completion', '--help'], { env: cliEnv() });
    expect(r.stdout).toContain('Install:\n  bash  add to ~/.bashrc:  eval "$(octo completion bash)"\n  zsh   octo completion zsh');
  });

  it('-v, --version and version print the version', async () => {
    const { version } = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8'));
    for (const argv of [['-v'], ['--version'], ['version']]) {
      const r = await runCli(argv, { env: cliEnv() });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(version);
    }
  });

  it("infers each command's option types from its flags", () => {
    const spec = defineCommand({
      options: [
        { flags: '--limit <n>', description: '', default: 20, parse: positiveInt('--limit') },
        { flags: '--status <s>', description: '', choices: ['a', 'b'] as const },
        { flags: '--dry-run', description: '' },
        { flags: '--no-wait', description: '' },
        { flags: '--out <dir>', description: '' },
      ],
      async run({ opts }) {
        expectTypeOf(opts).toEqualTypeOf<{ limit: number; wait: boolean; status?: 'a' | 'b'; dryRun?: boolean; out?: string }>();
      },
    });
    expectTypeOf<OptionsOf<NonNullable<typeof spec.options>>>().toHaveProperty('limit');
  });

  it("the README's command list matches octo --help and the manifest", async () => {
    const readme = readFileSync(join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const block = /## Commands\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    const lines = block.split('\n').filter((l) => l.startsWith('octo '));
    const tokens = (line: string) =>
      line
        .split('#')[0]!
        .split(/[^\w-]+/)
        .filter(Boolean);
    for (const entry of COMMANDS.filter((c) => !c.hidden)) {
      const [first, ...rest] = entry.name.split(' ');
      const candidates = lines.filter((l) => tokens(l).includes(first!));
      expect(
        candidates.some((l) => rest.every((w) => tokens(l).includes(w))),
        `README lacks: octo ${entry.name}`,
      ).toBe(true);
    }
    // Every top-level command octo --help lists is in the README, and the README names none it does not.
    const help = (await runCli(['--help'], { env: cliEnv() })).stdout;
    const listed = [...help.slice(help.indexOf('Commands:')).matchAll(/^ {2}(\w[\w-]*)/gm)].map((m) => m[1]!);
    expect(listed.length).toBeGreaterThan(10);
    const readmeFirst = new Set(
      lines
        .flatMap((l) => tokens(l).slice(1, 2))
        .concat(
          lines.flatMap((l) =>
            l
              .split(' | ')
              .slice(1)
              .map((p) => tokens(p)[0] ?? ''),
          ),
        ),
    );
    for (const name of listed) expect(readmeFirst.has(name) || lines.some((l) => tokens(l).includes(name)), `README lacks: octo ${name}`).toBe(true);
    for (const line of lines) expect(listed, line).toContain(tokens(line)[1]);
  });
});
