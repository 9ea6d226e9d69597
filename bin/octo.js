#!/usr/bin/env node
'use strict';
// CommonJS on purpose: `octo --version` and `octo --help` answer from here, before Node's ESM
// loader and the CLI bundle are loaded (start-up targets in the README's "Performance").
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v' || args[0] === '-V')) {
  print(Buffer.from(`${require('../package.json').version}\n`));
} else if (args.length === 0 || (args.length === 1 && (args[0] === '--help' || args[0] === '-h' || args[0] === 'help'))) {
  // Rendered by commander from the same program at build time (scripts/build.mjs).
  print(require('node:fs').readFileSync(require('node:path').join(__dirname, '..', 'dist', 'help.txt')));
} else {
  enableCompileCache();
  import('../dist/octo.js').then((cli) => cli.main());
}

/**
 * Straight to file descriptor 1: making `process.stdout` (a stream over the pipe or terminal)
 * costs more than the rest of `--version` (1.10× node -e 0 against 1.00×, measured). A reader
 * that has gone (`octo --help | head -1`) or a closed stdout ends the output quietly.
 */
function print(bytes) {
  const { writeSync } = require('node:fs');
  let done = 0;
  try {
    while (done < bytes.length) done += writeSync(1, bytes, done);
  } catch (error) {
    // A non-blocking pipe that is full: the stream waits for it.
    if (error.code === 'EAGAIN') process.stdout.write(bytes.subarray(done));
    else if (error.code !== 'EPIPE' && error.code !== 'EBADF') throw error;
  }
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
