import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, '..', '..', 'scripts', 'check-imports.mjs');
const made: string[] = [];

/** A project folder whose src holds `files` (path → text). */
function tree(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'octo-check-imports-'));
  made.push(root);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, 'src', path)), { recursive: true });
    writeFileSync(join(root, 'src', path), text);
  }
  return root;
}

async function check(root: string): Promise<{ code: number; out: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [script, root]);
    return { code: 0, out: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout + e.stderr };
  }
}

afterAll(() => {
  for (const root of made) rmSync(root, { recursive: true, force: true });
});

const CLEAN = {
  'core/errors.ts': 'export class UsageError extends Error {}\n',
  'db/videos.ts': "import { UsageError } from '../core/errors.js';\nexport const list = () => new UsageError();\n",
  'commands/videos/list.ts': "import { list } from '../../db/videos.js';\nexport default list;\n",
  'cli/commands.ts': "export const load = () => import('../commands/videos/list.js');\n",
};

describe('scripts/check-imports.mjs', () => {
  it('passes a tree whose imports run downward', async () => {
    const r = await check(tree(CLEAN));
    expect(r.out).toContain('no cycle');
    expect(r.code).toBe(0);
  });

  it('fails on a cycle made of type-only imports, and names it', async () => {
    const r = await check(
      tree({
        ...CLEAN,
        'db/generations.ts': "import type { Video } from './videos.js';\nexport interface Generation { video?: Video }\n",
        'db/videos.ts': "import type { Generation } from './generations.js';\nexport interface Video { generation?: Generation }\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('import cycle: db/generations.ts → db/videos.ts → db/generations.ts');
  });

  it('fails on a cycle through a lazy import() and an index module', async () => {
    const r = await check(
      tree({
        ...CLEAN,
        'cli/commands.ts': "export const COMMANDS = [() => import('../commands/completion.js')];\n",
        'commands/completion.ts': "import { COMMANDS } from '../cli/index.js';\nexport default COMMANDS;\n",
        'cli/index.ts': "export * from './commands.js';\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/import cycle: cli\/commands\.ts → commands\/completion\.ts → cli\/index\.ts → cli\/commands\.ts/);
  });

  it('fails on an import up the folder order (types too), naming both folders', async () => {
    const r = await check(
      tree({
        ...CLEAN,
        'cli/deps.ts': 'export interface Deps { now(): Date }\n',
        'costs/report.ts': "import type { Deps } from '../cli/deps.js';\nexport const report = (deps: Deps) => deps.now();\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/costs/report.ts imports src/cli/deps.ts: src/cli sits above src/costs in FOLDER_ORDER');
  });

  it('fails on a folder cycle made of files that form no file cycle', async () => {
    const r = await check(
      tree({
        ...CLEAN,
        'auth/session.ts': "import { list } from '../db/videos.js';\nexport const session = list;\n",
        'db/generations.ts': "import type { Session } from '../auth/types.js';\nexport type G = Session;\n",
        'auth/types.ts': 'export interface Session { id: string }\n',
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/db/generations.ts imports src/auth/types.ts: src/auth sits above src/db');
    expect(r.out).toMatch(/folder cycle: src\/(auth → src\/db → src\/auth|db → src\/auth → src\/db)/);
    expect(r.out).not.toContain('import cycle');
  });

  it('allows the lazy command manifest (cli/commands.ts → commands) beside commands → cli, and nothing else up to commands', async () => {
    const kit = {
      ...CLEAN,
      'cli/command.ts': 'export const defineCommand = <T>(spec: T) => spec;\n',
      'commands/videos/list.ts':
        "import { defineCommand } from '../../cli/command.js';\nimport { list } from '../../db/videos.js';\nexport default defineCommand({ run: list });\n",
    };
    const ok = await check(tree(kit));
    expect(ok.out).not.toContain('folder cycle');
    expect(ok.code).toBe(0);
    const r = await check(tree({ ...kit, 'cli/main.ts': "export const run = () => import('../commands/videos/list.js');\n" }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/cli/main.ts imports src/commands/videos/list.ts: src/commands sits above src/cli');
  });

  it('fails on a folder FOLDER_ORDER does not declare', async () => {
    const r = await check(tree({ ...CLEAN, 'gadgets/x.ts': "import { list } from '../db/videos.js';\nexport const x = list;\n" }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/gadgets is not in FOLDER_ORDER');
  });

  it('lets only commands, cli and output use the result and render modules of src/output', async () => {
    const output = {
      ...CLEAN,
      'output/result.ts': 'export interface CommandResult { exit?: string }\n',
      'output/logger.ts': 'export const log = (line: string) => line;\n',
      'commands/videos/show.ts': "import type { CommandResult } from '../../output/result.js';\nexport const show = (): CommandResult => ({});\n",
      'videos/list.ts': "import { log } from '../output/logger.js';\nexport const list = () => log('listing');\n",
    };
    expect((await check(tree(output))).code).toBe(0);
    const r = await check(
      tree({ ...output, 'videos/delete.ts': "import type { CommandResult } from '../output/result.js';\nexport const remove = (): CommandResult => ({});\n" }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/videos/delete.ts imports src/output/result.ts: only src/commands, src/cli, src/output render');
  });

  it('reports a known break instead of failing on it, and a stale entry', async () => {
    const { checkImports } = await import('../../scripts/check-imports.mjs');
    const root = tree({
      ...CLEAN,
      'auth/session.ts': 'export interface Session { id: string }\n',
      'db/generations.ts': "import type { Session } from '../auth/session.js';\nexport type G = Session;\n",
    });
    const known = new Set(['src/db/generations.ts -> src/auth/session.ts', 'src/db/gone.ts -> src/auth/session.ts']);
    const { problems, warnings } = checkImports(root, known, new Set());
    expect(problems).toEqual([]);
    expect(warnings).toEqual([
      'known, being fixed: src/db/generations.ts -> src/auth/session.ts',
      'KNOWN_LAYER_BREAKS lists src/db/gone.ts -> src/auth/session.ts, which no longer exists: delete the entry',
    ]);
  });

  it('declares exactly the folders this repository has under src', async () => {
    const { FOLDER_ORDER } = await import('../../scripts/check-imports.mjs');
    const src = join(import.meta.dirname, '..', '..', 'src');
    const present = readdirSync(src, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name);
    expect([...present].sort()).toEqual([...FOLDER_ORDER].sort());
  });

  it('fails on a source file over 400 lines', async () => {
    const r = await check(tree({ ...CLEAN, 'emulator/server.ts': 'export const x = 1;\n'.repeat(401) }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/emulator/server.ts: 401 lines');
    expect((await check(tree({ ...CLEAN, 'emulator/server.ts': 'export const x = 1;\n'.repeat(400) }))).code).toBe(0);
  });

  it('fails on a source file that cites a document kept outside the repository', async () => {
    const r = await check(tree({ ...CLEAN, 'core/io.ts': '/** Flags every command accepts (PRODUCT.md "Commands"). */\nexport const x = 1;\n' }));
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/core/io.ts cites PRODUCT.md, which is not in the repository');
  });
});
