import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

  it('fails when a lower layer imports from src/cli or src/commands (types too)', async () => {
    const r = await check(
      tree({
        ...CLEAN,
        'cli/deps.ts': 'export interface Deps { now(): Date }\n',
        'costs/report.ts': "import type { Deps } from '../cli/deps.js';\nexport const report = (deps: Deps) => deps.now();\n",
      }),
    );
    expect(r.code).toBe(1);
    expect(r.out).toContain('src/costs/report.ts imports src/cli/deps.ts: src/costs may not import from src/cli or src/commands');
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
