import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOLDER_ORDER } from '../../scripts/check-imports.mjs';

const root = join(import.meta.dirname, '..', '..');

/** The README's layout table: each row's first cell, as the `src/…` paths it names. */
function layoutRows(readme: string): string[][] {
  const start = readme.indexOf('\nLayout, top to bottom');
  expect(start, 'README has a "Layout, top to bottom" table').toBeGreaterThan(0);
  const lines = readme.slice(start).split('\n').slice(1);
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  const end = table.findIndex((l) => !l.startsWith('|'));
  const body = table.slice(2, end);
  return body.map((row) => [...(row.split('|')[1] ?? '').matchAll(/`(src\/[^`]*)`/g)].map((m) => m[1] as string));
}

/** The part of a path that must exist: up to its first placeholder (`src/commands/<noun>/<verb>.ts` → `src/commands`). */
const concrete = (path: string) => path.split('/<')[0] as string;
const folderOf = (path: string) => path.split('/')[1] as string;

describe("the README's layout table", () => {
  const rows = layoutRows(readFileSync(join(root, 'README.md'), 'utf8'));

  it('names only paths that exist', () => {
    const named = rows.flat();
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((p) => !existsSync(join(root, concrete(p))))).toEqual([]);
  });

  it('names every folder under src, top to bottom in the order check-imports declares (highest first)', () => {
    const order = rows.flat().map(folderOf);
    const shown = order.filter((folder, i) => folder !== order[i - 1]);
    expect(shown).toEqual([...FOLDER_ORDER].reverse());
  });
});
