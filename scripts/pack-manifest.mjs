// `npm pack` / `npm publish` pack package.json as it is on disk. In a checkout, `prepare` builds
// dist/ on `npm ci`; in the package dist/ is already built, so installing it must have no script
// to run (npm warns about, or refuses, a package with an install script). `strip` (prepack) packs a
// package.json without `prepare`, keeping the original beside it; `restore` (postpack) puts it back.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = `${root}package.json`;
const kept = `${root}package.json.unpacked`;
const [mode] = process.argv.slice(2);

if (mode === 'strip') {
  // A kept copy means an earlier pack never restored: that copy is the original, not the stripped file.
  if (!existsSync(kept)) writeFileSync(kept, readFileSync(manifest));
  const pkg = JSON.parse(readFileSync(kept, 'utf8'));
  delete pkg.scripts.prepare;
  writeFileSync(manifest, `${JSON.stringify(pkg, null, 2)}\n`);
} else if (mode === 'restore') {
  if (existsSync(kept)) renameSync(kept, manifest);
} else {
  console.error('usage: node scripts/pack-manifest.mjs strip|restore');
  process.exit(2);
}
