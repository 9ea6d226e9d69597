// Bundles the CLI with esbuild: one small entry chunk and lazily imported chunks for what a
// single command needs; dependencies stay in node_modules. Builds into a fresh folder and swaps
// it in, so a build never pulls dist/ from under a running octo (or a parallel test run).
import { build } from 'esbuild';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const fresh = `${root}dist.build-${process.pid}`;
const old = `${root}dist.old-${process.pid}`;
rmSync(fresh, { recursive: true, force: true });

await build({
  entryPoints: { octo: 'src/cli/main.ts', 'embedded-server': 'src/db/embedded/server-main.ts' },
  absWorkingDir: root,
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: false,
  chunkNames: 'chunks/[name]-[hash]',
  define: { __OCTO_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

// `octo --help` is answered by bin/octo.js from this file, without loading the bundle.
const { renderHelp } = await import(`${fresh}/octo.js`);
writeFileSync(`${fresh}/help.txt`, await renderHelp());

if (existsSync(`${root}dist`)) renameSync(`${root}dist`, old);
renameSync(fresh, `${root}dist`);
rmSync(old, { recursive: true, force: true });
