// Bundles the CLI with esbuild: one small entry chunk and lazily imported chunks for what a
// single command needs; dependencies stay in node_modules. Builds into a fresh folder and swaps
// it in, so a build never pulls dist/ from under a running octo (or a parallel test run).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
const fresh = `${root}dist.build-${process.pid}`;
const old = `${root}dist.old-${process.pid}`;
rmSync(fresh, { recursive: true, force: true });

// pg probes for Cloudflare Workers at import by constructing a `Response`, which loads Node's
// built-in fetch stack (~15 ms on every command). octo runs only on Node: answer the probe.
const nodeOnlyPg = {
  name: 'node-only-pg',
  setup(b) {
    b.onLoad({ filter: /[\\/]pg[\\/]lib[\\/]stream\.js$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      const patched = source.replace('function isCloudflareRuntime() {', 'function isCloudflareRuntime() {\n  return false;');
      if (patched === source) throw new Error('pg/lib/stream.js changed: review the node-only-pg build patch');
      return { contents: patched, loader: 'js' };
    });
  },
};

await build({
  plugins: [nodeOnlyPg],
  entryPoints: { octo: 'src/cli/main.ts', 'embedded-server': 'src/db/connection/embedded/server-main.ts' },
  absWorkingDir: root,
  outdir: fresh,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Dependencies are bundled too: one file per chunk loads far faster than hundreds of small
  // modules. What loads its own files at run time (PGlite's WASM) or is optional stays outside.
  external: ['@electric-sql/pglite', '@electric-sql/pglite/*', '@electric-sql/pglite-socket', 'pg-native', 'pg-cloudflare', 'esbuild', '@napi-rs/keyring'],
  banner: {
    js: "import { createRequire as __octoCreateRequire } from 'node:module'; const require = __octoCreateRequire(import.meta.url);",
  },
  sourcemap: false,
  // Less to read and compile on every start; names stay, so stack traces (--debug) still read.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: 'chunks/[name]-[hash]',
  define: { __OCTO_VERSION__: JSON.stringify(pkg.version) },
  logLevel: 'warning',
});

// The emulator serves real clips from files: src/emulator/media.ts looks for them in a fixtures/
// folder next to its chunk's folder (dist/fixtures/).
cpSync(`${root}src/emulator/fixtures`, `${fresh}/fixtures`, { recursive: true, filter: (src) => !src.endsWith('.md') });

// `octo --help` is answered by bin/octo.js from this file, without loading the bundle.
const { renderHelp } = await import(`${fresh}/octo.js`);
writeFileSync(`${fresh}/help.txt`, await renderHelp());

// The embedded database a first run starts from: initialised and migrated once here (3–6 s),
// and cached by what it is made of, so a rebuild with the same schema costs nothing.
const templateInputs = createHash('sha256');
templateInputs.update(readFileSync(`${root}node_modules/@electric-sql/pglite/package.json`));
templateInputs.update(readFileSync(`${root}scripts/neon-schema.sql`));
for (const file of readdirSync(`${root}scripts/migrations`).sort()) {
  templateInputs.update(file).update(readFileSync(`${root}scripts/migrations/${file}`));
}
templateInputs.update(readFileSync(`${root}src/db/connection/embedded/template.ts`));
const templateCache = `${root}node_modules/.cache/octo-embedded/template-${templateInputs.digest('hex').slice(0, 16)}.bin`;
if (!existsSync(templateCache)) {
  mkdirSync(`${root}node_modules/.cache/octo-embedded`, { recursive: true });
  const making = `${templateCache}.${process.pid}`;
  execFileSync(process.execPath, ['--liftoff-only', `${fresh}/embedded-server.js`, '--template', making], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(making, templateCache);
}
copyFileSync(templateCache, `${fresh}/embedded-template.bin`);

if (existsSync(`${root}dist`)) renameSync(`${root}dist`, old);
renameSync(fresh, `${root}dist`);
rmSync(old, { recursive: true, force: true });
