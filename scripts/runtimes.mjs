// The Node versions octo is tested on, and where each one's `node` is: the machine's own (the
// oldest, the one package.json's engines names) and the newer lines users run, installed from the
// npm registry's `node` package (`npm install --prefix DIR node@X` puts a working node in
// DIR/node_modules/.bin) into the git-ignored .ci/runtimes/, reused while it holds that version.
//
// `node scripts/runtimes.mjs` installs what is missing and prints one bin folder per line, oldest
// first (.ci/run puts each first on PATH in turn); `npm run bench` imports testedNodes().
import { spawnSync } from 'node:child_process';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Exact, so a run is reproducible and the README's list stays true: bump them and the README together. */
export const NEWER_NODES = ['24.21.0', '26.10.0'];

const root = fileURLToPath(new URL('..', import.meta.url));
export const RUNTIMES_DIR = process.env.OCTO_CI_RUNTIMES || join(root, '.ci', 'runtimes');

function versionOf(node) {
  const run = spawnSync(node, ['--version'], { encoding: 'utf8' });
  return run.status === 0 ? run.stdout.trim() : undefined;
}

/** The machine's node: the first on PATH (not necessarily the one running this script). */
function machineNode() {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'node');
    if (dir && versionOf(candidate)) return candidate;
  }
  return process.execPath;
}

/** node@version in .ci/runtimes/node-<version>, installed when missing; its path. */
export function installedNode(version, { log = (line) => process.stderr.write(`${line}\n`) } = {}) {
  const dir = join(RUNTIMES_DIR, `node-${version}`);
  const node = join(dir, 'node_modules', '.bin', 'node');
  if (versionOf(node) === `v${version}`) return node;
  log(`installing Node ${version} into ${dir} (npm install node@${version})`);
  // Into a folder of this process's own, moved into place when whole: two runs installing at once
  // (two benches, a bench and .ci/run) never delete each other's files half-way.
  const staging = `${dir}.installing-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  writeFileSync(join(staging, 'package.json'), '{ "private": true }\n');
  const npm = spawnSync('npm', ['install', '--prefix', staging, '--no-audit', '--no-fund', '--loglevel=error', `node@${version}`], {
    // npm's own output to stderr: stdout carries only the bin folders .ci/run reads.
    stdio: ['ignore', 2, 2],
  });
  const staged = join(staging, 'node_modules', '.bin', 'node');
  const built = versionOf(staged);
  if (npm.status !== 0 || built !== `v${version}`) {
    rmSync(staging, { recursive: true, force: true });
    throw new Error(`could not install Node ${version} into ${staging} (npm exited ${npm.status}, node says ${built})`);
  }
  if (versionOf(node) === `v${version}`) {
    // Another run finished first: its copy is as good.
    rmSync(staging, { recursive: true, force: true });
    return node;
  }
  rmSync(dir, { recursive: true, force: true });
  renameSync(staging, dir);
  const got = versionOf(node);
  if (got !== `v${version}`) throw new Error(`Node ${version} moved into ${dir} does not start (node says ${got})`);
  return node;
}

/** Every tested Node, oldest first: { version, node } with node an absolute path. */
export function testedNodes(options) {
  const machine = machineNode();
  return [{ version: versionOf(machine), node: machine }, ...NEWER_NODES.map((version) => ({ version: `v${version}`, node: installedNode(version, options) }))];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  for (const { node } of testedNodes()) process.stdout.write(`${dirname(node)}\n`);
}
