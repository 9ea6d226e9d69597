import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The folder holding octo's package.json, from source (tests) or from the bundle in dist/. */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'scripts', 'neon-schema.sql'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the octo package folder');
    dir = parent;
  }
  root = dir;
  return root;
}
