#!/usr/bin/env node
'use strict';
// CommonJS on purpose: `octo --version` and `octo --help` answer from here, before Node's ESM
// loader and the CLI bundle are loaded (start-up targets in the README's "Performance").
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v' || args[0] === '-V')) {
  process.stdout.write(`${require('../package.json').version}\n`);
} else if (args.length === 0 || (args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help'))) {
  // Rendered by commander from the same program at build time (scripts/build.mjs).
  process.stdout.write(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'dist', 'help.txt'), 'utf8'));
} else {
  enableCompileCache();
  import('../dist/octo.js').then((cli) => cli.main());
}

/**
 * Node 22.1+ keeps the code it compiled for the bundle on disk and reuses it on the next run
 * (~5–8 ms of a read command's CPU, measured). The folder is octo's own cache folder; Node's
 * NODE_COMPILE_CACHE and NODE_DISABLE_COMPILE_CACHE still win. A folder that cannot be written
 * only means no cache: enableCompileCache reports that instead of throwing, and nothing here
 * may stop a command either way.
 */
function enableCompileCache() {
  const { enableCompileCache: enable } = require('node:module');
  if (typeof enable !== 'function' || process.env.NODE_COMPILE_CACHE) return;
  try {
    const path = require('node:path');
    const xdg = process.env.XDG_CACHE_HOME;
    const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(process.env.HOME || require('node:os').homedir(), '.cache');
    enable(path.join(base, 'octo', 'node-compile-cache'));
  } catch {
    // no cache this time
  }
}
