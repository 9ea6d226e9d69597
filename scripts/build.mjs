// Bundles the CLI with esbuild: one small entry chunk (what `octo --help` loads) and lazily
// imported chunks for everything a single command needs. Dependencies stay in node_modules.
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });

await build({
  entryPoints: { octo: 'src/cli/main.ts', 'embedded-server': 'src/db/embedded/server-main.ts' },
  outdir: 'dist',
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
const { renderHelp } = await import(new URL('../dist/octo.js', import.meta.url).href);
writeFileSync(new URL('../dist/help.txt', import.meta.url), await renderHelp());
