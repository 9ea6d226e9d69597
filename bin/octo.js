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
  import('../dist/octo.js').then((cli) => cli.main());
}
