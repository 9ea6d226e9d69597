// Start-up and read-path rows on every tested Node (issue 24), side by side in one run: each Node's
// ratios are to its own `node -e 0`, all cases interleaved so the machine's noise falls on every
// Node alike. Targets hold as on a user's machine, NODE_EXTRA_CA_CERTS unset (Node reads that file
// on every start, ~55 ms here, which flatters every ratio); where it is set, the rows are printed
// that way too. Peers (@wavespeed/cli, neonctl) are measured where installed: on PATH, or in
// .ci/runtimes/peers (`npm install --prefix .ci/runtimes/peers @wavespeed/cli neonctl`).
//
// Where the time goes comes from octo's own --debug timeline (the bundle loaded, the command
// parsed, the database open, the query's round trip, done), medians over runs, per Node.
import { existsSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { RUNTIMES_DIR, testedNodes } from '../runtimes.mjs';
import { seedVideos, stateOf } from './embedded.mjs';
import { interleaved, median, timeOnce } from './measure.mjs';

export const TARGETS = { version: 1.05, help: 1.2, listPg: 2, listEmbedded: 2 };
const PEERS = [
  { name: '@wavespeed/cli', bin: 'wavespeed' },
  { name: 'neonctl', bin: 'neonctl' },
];

const ratio = (a, b) => Math.round((a / b) * 100) / 100;
const short = (version) => version.replace(/^v(\d+)\..*$/, '$1');

/** A peer's JS entry (its bin is a symlink to a file with a node shebang), so any Node can run it. */
function findPeer(bin) {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), join(RUNTIMES_DIR, 'peers', 'node_modules', '.bin')];
  for (const dir of dirs) {
    const path = dir && join(dir, bin);
    if (path && existsSync(path)) return realpathSync(path);
  }
  return undefined;
}

/** Median phases of `videos list --json --debug` (ms): what octo's own timeline says. */
function timeline(node, octo, env, runs) {
  const at = (stderr, re) => Number(re.exec(stderr)?.[1] ?? Number.NaN);
  const samples = [];
  for (let i = 0; i < runs; i += 1) {
    const { ms, stderr } = timeOnce(node, [octo, 'videos', 'list', '--json', '--debug'], { env });
    const loaded = at(stderr, /bundle loaded at ([\d.]+) ms/);
    const parsed = at(stderr, /\[debug +([\d.]+) ms\] videos list: parsed/);
    const open = at(stderr, /\[debug +([\d.]+) ms\] db open/);
    const queried = at(stderr, /\[debug +([\d.]+) ms\] db [\d.]+ ms {2}\S/);
    const query = at(stderr, /\] db ([\d.]+) ms {2}\S/);
    const done = at(stderr, /\[debug +([\d.]+) ms\] videos list done/);
    samples.push({
      'to the bundle': loaded,
      'command, config, flags': parsed - loaded,
      'session, until the connection is ready': open - parsed,
      query,
      'render and write': done - queried,
      exit: ms - done,
      wall: ms,
    });
  }
  return Object.fromEntries(Object.keys(samples[0]).map((k) => [k, median(samples.map((s) => s[k]))]));
}

/**
 * @param {{ octo: string, baseEnv: Record<string, string>, pgEnv: Record<string, string>, runs: number,
 *   startupRuns: number, record: (row: object) => void, log: (line: string) => void }} context
 */
export async function benchRuntimes({ octo, baseEnv, pgEnv, runs, startupRuns, record, log }) {
  const nodes = testedNodes({ log });
  log(`runtimes: ${nodes.map((n) => n.version).join(', ')}`);
  const peers = PEERS.map((p) => ({ ...p, entry: findPeer(p.bin) })).filter((p) => p.entry);
  const { NODE_EXTRA_CA_CERTS: extraCerts, ...userBase } = baseEnv;
  const { NODE_EXTRA_CA_CERTS: _same, ...userPg } = pgEnv;

  // An embedded database with 10,000 videos, its server started by the machine's Node.
  const work = mkdtempSync(join(tmpdir(), 'octo-bench-runtimes-'));
  const embeddedEnv = { ...userBase, OCTO_DATA_DIR: join(work, 'data'), OCTO_CONFIG_DIR: join(work, 'config'), OCTO_DATABASE_URL: '', DATABASE_URL: '' };
  const machine = nodes[0].node;
  try {
    timeOnce(machine, [octo, 'signup', '--email', 'bench@octo.local', '--name', 'Bench', '--password-stdin'], {
      env: embeddedEnv,
      input: 'bench-password-1\n',
    });
    const state = stateOf(embeddedEnv);
    await seedVideos(`postgres://postgres@localhost/postgres?host=${encodeURIComponent(state.socketDir)}`, 10_000);

    const variants = [{ label: 'NODE_EXTRA_CA_CERTS unset', env: userBase, pg: userPg, targets: true }];
    if (extraCerts) variants.push({ label: `NODE_EXTRA_CA_CERTS=${extraCerts}, as this machine has it`, env: baseEnv, pg: pgEnv, targets: false });

    for (const variant of variants) {
      log(`start-up on each Node (${variant.label})`);
      const startup = interleaved(
        nodes.flatMap(({ version, node }) => [
          { name: `${version} bare`, command: node, args: ['-e', '0'], options: { env: variant.env } },
          { name: `${version} version`, command: node, args: [octo, '--version'], options: { env: variant.env } },
          { name: `${version} help`, command: node, args: [octo, '--help'], options: { env: variant.env } },
          ...peers.map((p) => ({ name: `${version} ${p.name}`, command: node, args: [p.entry, '--version'], options: { env: variant.env } })),
        ]),
        startupRuns,
        2,
        { cpu: true },
      );
      log(`videos list --json, 10,000 videos, on each Node (${variant.label})`);
      const reads = interleaved(
        nodes.flatMap(({ version, node }) => [
          { name: `${version} bare`, command: node, args: ['-e', '0'], options: { env: variant.env } },
          { name: `${version} pg`, command: node, args: [octo, 'videos', 'list', '--json'], options: { env: variant.pg } },
          ...(variant.targets ? [{ name: `${version} embedded`, command: node, args: [octo, 'videos', 'list', '--json'], options: { env: embeddedEnv } }] : []),
        ]),
        runs,
        2,
        { cpu: true },
      );
      const ms = (set, name, key = 'median_ms') => set.find((c) => c.name === name)?.[key] ?? Number.NaN;
      // Judged on wall time, as the targets are set; CPU time beside it, which the load hardly moves.
      const row = (target, set, what, limit) => {
        const per = nodes.map(({ version }) => {
          const [name, bare] = [`${version} ${what}`, `${version} bare`];
          return {
            version,
            value: ratio(ms(set, name), ms(set, bare)),
            ms: ms(set, name),
            cpu: ratio(ms(set, name, 'median_cpu_ms'), ms(set, bare, 'median_cpu_ms')),
          };
        });
        record({
          target: `${target} (${variant.label})`,
          measured: per.map((p) => `${short(p.version)}: ${p.value}× (${p.ms.toFixed(1)} ms; CPU ${p.cpu}×)`).join(' | '),
          value: Object.fromEntries(per.map((p) => [p.version, { wall: p.value, cpu: p.cpu }])),
          ok: variant.targets && limit !== undefined ? per.every((p) => p.value <= limit) : undefined,
        });
      };
      record({
        target: `node -e 0 on each Node (${variant.label})`,
        measured: nodes
          .map(
            ({ version }) =>
              `${short(version)}: ${ms(startup, `${version} bare`).toFixed(1)} ms (CPU ${ms(startup, `${version} bare`, 'median_cpu_ms').toFixed(1)} ms)`,
          )
          .join(' | '),
        value: Object.fromEntries(nodes.map(({ version }) => [version, ms(startup, `${version} bare`)])),
      });
      row(`octo --version ≤ ${TARGETS.version}× node -e 0`, startup, 'version', TARGETS.version);
      row(`octo --help ≤ ${TARGETS.help}× node -e 0`, startup, 'help', TARGETS.help);
      for (const p of peers) row(`peer: ${p.name} --version (for comparison)`, startup, p.name);
      row(`videos list --json, 10k videos, local Postgres ≤ ${TARGETS.listPg}× node -e 0`, reads, 'pg', TARGETS.listPg);
      if (variant.targets) row(`embedded videos list --json, 10k videos ≤ ${TARGETS.listEmbedded}× node -e 0`, reads, 'embedded', TARGETS.listEmbedded);
    }
    if (!peers.length) log('no peers installed (npm install --prefix .ci/runtimes/peers @wavespeed/cli neonctl): their rows are left out');

    log('where the time goes: videos list --json --debug on Postgres');
    for (const { version, node } of nodes) {
      const phases = timeline(node, octo, userPg, Math.max(7, Math.ceil(runs / 2)));
      const bare = median([0, 1, 2, 3, 4].map(() => timeOnce(node, ['-e', '0'], { env: userBase }).ms));
      record({
        target: `videos list on pg, where the time goes on Node ${short(version)} (ms; node -e 0 = ${bare.toFixed(1)})`,
        measured: Object.entries(phases)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', '),
        value: phases,
      });
    }
  } finally {
    try {
      timeOnce(machine, [octo, 'db', 'stop'], { env: embeddedEnv });
    } catch {
      // already stopped
    }
    rmSync(work, { recursive: true, force: true });
  }
}
