import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FOLDER_ORDER } from '../../scripts/check-imports.mjs';

const root = join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The first table after `heading`: each row's first cell, as the `src/…` paths it names. */
function tableRows(text: string, heading: string): string[][] {
  const start = text.indexOf(heading);
  expect(start, `a table after "${heading}"`).toBeGreaterThanOrEqual(0);
  const lines = text.slice(start).split('\n');
  const table = lines.slice(lines.findIndex((l) => l.startsWith('|')));
  const end = table.findIndex((l) => !l.startsWith('|'));
  return table.slice(2, end).map((row) => [...(row.split('|')[1] ?? '').matchAll(/`(src\/[^`]*)`/g)].map((m) => m[1] as string));
}

/** The part of a path that must exist: up to its first placeholder (`src/commands/<noun>/<verb>.ts` → `src/commands`). */
const concrete = (path: string) => path.split(/\/?</)[0] as string;
const folderOf = (path: string) => path.split('/')[1] as string;
/** Folders in the order the rows name them, each once. */
const foldersOf = (rows: string[][]) =>
  rows
    .flat()
    .map(folderOf)
    .filter((folder, i, all) => folder !== all[i - 1]);

describe.each([
  ['README.md', '\nLayout, top to bottom'],
  ['ARCHITECTURE.md', '\n## The layers'],
])('%s', (file, heading) => {
  const text = read(file);

  it('lays out every folder under src, top to bottom in the order check-imports declares (highest first)', () => {
    expect(foldersOf(tableRows(text, heading))).toEqual([...FOLDER_ORDER].reverse());
  });

  it('names only paths of the repository that exist', () => {
    const named = [...text.matchAll(/`((?:src|scripts|test|bin)\/[^`\s]*)`/g)].map((m) => m[1] as string);
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((p) => !existsSync(join(root, concrete(p))))).toEqual([]);
  });
});
