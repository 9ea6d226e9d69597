#!/usr/bin/env node
// `npm run bench [-- --json] [-- --quick] [-- --runtimes]`: octo's performance targets (issue 7), measured side
// by side in one run so the machine's noise falls on every case alike. Prints a table (or JSON).
//
// Needs the built CLI (npm run build) and, for the Postgres rows, a server at
// OCTO_BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/postgres): the bench
// creates and drops its own database there.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { interleaved, median, startChild, timeOnce, timeWithUsage } from './measure.mjs';
// One module per section; each exports an async function taking the shared context.
import { benchEmbedded } from './embedded.mjs';
import { benchMembers } from './members.mjs';
import { benchManyProcesses } from './many-processes.mjs';
import { benchRuntimes } from './runtimes.mjs';
import { benchMcp } from './mcp.mjs';
import { benchGallery } from './gallery.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
const octo = join(root, 'bin', 'octo.js');
const node = process.execPath;
const args = new Set(process.argv.slice(2));
const quick = args.has('--quick');
// `-- --runtimes`: only the rows measured on every tested Node (and the Postgres set-up they need).
const onlyRuntimes = args.has('--runtimes');
const RUNS = quick ? 7 : 15;
// Start-up differences are a few milliseconds: more runs for those.
const STARTUP_RUNS = quick ? 11 : 31;
const results = [];
const log = (line) => process.stderr.write(`${line}\n`);
const record = (row) => {
  results.push(row);
  log(`  ${row.target}: ${row.measured} ${row.ok === undefined ? '' : row.ok ? '(met)' : '(MISSED)'}`);
};

const adminUrl = process.env.OCTO_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const benchDb = `octo_bench_${process.pid}`;
const dbUrl = (() => {
  const u = new URL(adminUrl);
  u.pathname = `/${benchDb}`;
  return u.toString();
})();
const work = mkdtempSync(join(tmpdir(), 'octo-bench-'));
const baseEnv = {
  ...process.env,
  OCTO_CONFIG_DIR: join(work, 'config'),
  OCTO_DATA_DIR: join(work, 'data'),
  OCTO_SERVER_IDLE_MS: '600000',
  NO_COLOR: '1',
  OCTO_DATABASE_URL: '',
  DATABASE_URL: '',
  OCTO_TOKEN: '',
};
const pgEnv = { ...baseEnv, OCTO_DATABASE_URL: dbUrl };
const PASSWORD = 'bench-password-1';

const octoRun = (argv, env, input) => timeOnce(node, [octo, ...argv], { env, input });
const ratio = (a, b) => Math.round((a / b) * 100) / 100;

async function admin(sql) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

async function onDb(url, work) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** n videos and n generations for the user with this email, made by SQL generate_series. */
async function seed(client, email, { videos, generations }) {
  const { rows } = await client.query('SELECT id FROM users WHERE email = $1', [email]);
  const userId = rows[0].id;
  if (videos) {
    await client.query(
      `INSERT INTO video_metadata (user_id, file_id, url, prompt, height, width, duration, sora_version, azure_video_id, created_at)
       SELECT $1, 'gen_' || i, '/videos/' || i || '.mp4', 'bench prompt number ' || i, '720', '1280', '4', 'sora-2',
              'video_' || i, NOW() - (i || ' minutes')::interval
       FROM generate_series(1, $2) AS i`,
      [userId, videos],
    );
  }
  if (generations) {
    await client.query(
      `INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, variants, generation_mode,
              estimated_cost, profile_name, status, job_id, created_at)
       SELECT $1, 'bench ' || i, CASE WHEN i % 3 = 0 THEN 'sora-1' ELSE 'sora-2' END, 4, '720x1280', 1, 'text-to-video',
              0.4, 'bench', CASE WHEN i % 10 = 0 THEN 'failed' ELSE 'completed' END, 'job_' || i,
              NOW() - ((i % 730) || ' days')::interval - ((i % 1440) || ' minutes')::interval
       FROM generate_series(1, $2) AS i`,
      [userId, generations],
    );
  }
  // What autovacuum would have done by the time anyone lists: statistics and the visibility map.
  await client.query('VACUUM ANALYZE');
}

function countRoundTrips(argv, env, input) {
  const { stderr } = timeOnce(node, [octo, ...argv, '--debug'], { env, input });
  return stderr.split('\n').filter((l) => /\] db [\d.]+ ms/.test(l)).length;
}

async function main() {
  log(`octo bench on ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  statSync(join(root, 'dist', 'octo.js'));

  // 1. Start-up.
  log('start-up');
  const [bare, version, help] = interleaved(
    [
      { name: 'node -e 0', command: node, args: ['-e', '0'] },
      { name: 'octo --version', command: node, args: [octo, '--version'] },
      { name: 'octo --help', command: node, args: [octo, '--help'] },
    ],
    STARTUP_RUNS,
  );
  const bareMs = bare.median_ms;
  record({
    target: 'octo --version ≤ 1.10× node -e 0',
    measured: `${ratio(version.median_ms, bareMs)}× (${version.median_ms.toFixed(1)} ms vs ${bareMs.toFixed(1)} ms)`,
    value: ratio(version.median_ms, bareMs),
    ok: version.median_ms / bareMs <= 1.1,
  });
  record({
    target: 'octo --help ≤ 1.20× node -e 0',
    measured: `${ratio(help.median_ms, bareMs)}× (${help.median_ms.toFixed(1)} ms)`,
    value: ratio(help.median_ms, bareMs),
    ok: help.median_ms / bareMs <= 1.2,
  });

  // 2–3, 6. Postgres.
  await admin(`DROP DATABASE IF EXISTS ${benchDb}`);
  await admin(`CREATE DATABASE ${benchDb}`);
  try {
    octoRun(['db', 'migrate'], pgEnv);
    octoRun(['signup', '--email', 'bench@octo.local', '--name', 'Bench', '--password-stdin'], pgEnv, `${PASSWORD}\n`);
    octoRun(
      ['profile', 'add', 'bench', '--endpoint', 'http://127.0.0.1:9', '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'],
      pgEnv,
      'bench-key\n',
    );
    await onDb(dbUrl, (c) => seed(c, 'bench@octo.local', { videos: 10_000, generations: 10_000 }));

    log('round trips (counted from --debug lines)');
    const reads = [['whoami'], ['profile', 'list'], ['videos', 'list'], ['jobs', 'list'], ['costs']];
    const trips = {};
    for (const argv of reads) trips[argv.join(' ')] = countRoundTrips([...argv, '--json'], pgEnv);
    trips.login = countRoundTrips(['login', '--email', 'bench@octo.local', '--password-stdin'], pgEnv, `${PASSWORD}\n`);
    for (const [command, n] of Object.entries(trips)) {
      const expected = command === 'login' ? 2 : 1;
      record({ target: `${command}: ${expected} round trip${expected > 1 ? 's' : ''}`, measured: `${n}`, value: n, ok: n === expected });
    }

    log('warm videos list on local Postgres, 10,000 videos');
    const [bare2, listPg] = interleaved(
      [
        { name: 'node -e 0', command: node, args: ['-e', '0'] },
        { name: 'videos list (pg)', command: node, args: [octo, 'videos', 'list', '--json'], options: { env: pgEnv } },
      ],
      RUNS,
    );
    record({
      target: 'videos list --json, 10k videos, pg ≤ 2× node -e 0',
      measured: `${ratio(listPg.median_ms, bare2.median_ms)}× (${listPg.median_ms.toFixed(1)} ms)`,
      value: ratio(listPg.median_ms, bare2.median_ms),
      ok: listPg.median_ms / bare2.median_ms <= 2,
    });

    // Every tested Node side by side, NODE_EXTRA_CA_CERTS unset as on a user's machine (scripts/bench/runtimes.mjs).
    await benchRuntimes({ octo, baseEnv, pgEnv, runs: RUNS, startupRuns: STARTUP_RUNS, record, log });
    if (onlyRuntimes) return;

    // The gallery (issue 21): a 1,000-video page, written and measured (scripts/bench/gallery.mjs).
    await benchGallery({ root, node, octo, env: baseEnv, dbUrl, runs: quick ? 5 : 9, record, log });

    // Members (issue 11): row-level security's cost, in a database of its own (scripts/bench/members.mjs).
    await benchMembers({ root, node, octo, adminUrl, baseEnv, work, runs: RUNS, rows: quick ? 1_000 : 10_000, record, log });

    // 4. Embedded default (scripts/bench/embedded.mjs).
    await benchEmbedded({ node, octo, env: baseEnv, pgEnv, quick, runs: RUNS, record, log });

    // 6. Scale: 1,000,000 generations.
    if (!quick) {
      log('scale: seeding 1,000,000 generations');
      await onDb(dbUrl, (c) => seed(c, 'bench@octo.local', { generations: 990_000 }));
      const costs = [];
      for (let i = 0; i < 5; i += 1) costs.push(octoRun(['costs', '--by', 'month', '--since', '2000-01-01', '--json'], pgEnv).ms);
      const costsMs = median(costs);
      record({ target: 'costs --by month --json over 1M rows, pg ≤ 1.5 s', measured: `${costsMs.toFixed(0)} ms`, value: costsMs, ok: costsMs <= 1500 });
      const [bare3, listBig] = interleaved(
        [
          { name: 'node -e 0', command: node, args: ['-e', '0'] },
          { name: 'videos list (pg, 1M generations)', command: node, args: [octo, 'videos', 'list', '--json'], options: { env: pgEnv } },
        ],
        RUNS,
      );
      record({
        target: 'videos list with 1M generations present ≤ 2× node -e 0',
        measured: `${ratio(listBig.median_ms, bare3.median_ms)}×`,
        value: ratio(listBig.median_ms, bare3.median_ms),
        ok: listBig.median_ms / bare3.median_ms <= 2,
      });
    }

    // 5. Batch throughput and 7. memory, against the emulator.
    await batchAndMemory();

    // 8. Many processes, one database, one quota (scripts/bench/many-processes.mjs).
    await benchManyProcesses({ node, octo, env: baseEnv, dbUrl, record, log });

    // 9. The MCP server (scripts/bench/mcp.mjs): its start-up, its exit, a generate call.
    await benchMcp({ node, octo, env: pgEnv, runs: RUNS, record, log });
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${benchDb} WITH (FORCE)`).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

async function batchAndMemory() {
  const jobs = quick ? 48 : 200;
  const concurrency = 8;
  const jobSeconds = 2;
  log(`batch: ${jobs} jobs, --concurrency ${concurrency}, ${jobSeconds} s jobs`);
  const { child, line: endpoint } = await startChild(
    node,
    [octo, 'emulator', '--port', '0', '--job-seconds', String(jobSeconds), '--max-concurrent', String(concurrency)],
    { env: baseEnv },
  );
  try {
    octoRun(
      ['profile', 'add', 'emu', '--endpoint', endpoint, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
      pgEnv,
      'emulator-key\n',
    );
    const file = join(work, 'batch.txt');
    writeFileSync(file, Array.from({ length: jobs }, (_, i) => `bench batch line ${i + 1}`).join('\n'));
    const before = await (await fetch(`${endpoint}/_emulator/stats`)).json();
    const run = timeWithUsage(
      node,
      [
        octo,
        'generate',
        '--file',
        file,
        '--profile',
        'emu',
        '--concurrency',
        String(concurrency),
        '--creates-per-minute',
        '0',
        '--out',
        join(work, 'videos'),
        '--json',
        '--quiet',
      ],
      { env: pgEnv },
    );
    if (run.status !== 0) throw new Error(`batch exited ${run.status}: ${run.stderr.slice(-800)}`);
    const after = await (await fetch(`${endpoint}/_emulator/stats`)).json();
    const ideal = Math.ceil(jobs / concurrency) * jobSeconds * 1000;
    const requests = totalRequests(after) - totalRequests(before);
    record({
      target: `batch ${jobs} jobs wall ≤ 1.15× ideal (${ideal / 1000} s)`,
      measured: `${ratio(run.wall_ms, ideal)}× (${(run.wall_ms / 1000).toFixed(1)} s)`,
      value: ratio(run.wall_ms, ideal),
      ok: run.wall_ms / ideal <= 1.15,
    });
    record({ target: 'batch HTTP requests per job (polls and downloads included)', measured: `${(requests / jobs).toFixed(1)}`, value: requests / jobs });
    record({
      target: 'batch CLI CPU ≤ 10% of wall',
      measured: `${((run.cpu_ms / run.wall_ms) * 100).toFixed(1)}% (${(run.cpu_ms / 1000).toFixed(1)} s CPU)`,
      value: run.cpu_ms / run.wall_ms,
      ok: run.cpu_ms / run.wall_ms <= 0.1,
    });
  } finally {
    child.kill('SIGTERM');
  }

  log('memory: downloading a 500 MB video');
  const big = await startChild(node, [octo, 'emulator', '--port', '0', '--job-seconds', '0.2', '--video-bytes', String(500_000_000)], { env: baseEnv });
  try {
    octoRun(
      ['profile', 'add', 'big', '--endpoint', big.line, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'],
      pgEnv,
      'emulator-key\n',
    );
    const out = join(work, 'big');
    const run = timeWithUsage(node, [octo, 'generate', 'one large video', '--profile', 'big', '--out', out, '--json', '--quiet'], { env: pgEnv });
    if (run.status !== 0) throw new Error(`download exited ${run.status}: ${run.stderr.slice(-800)}`);
    const files = JSON.parse(run.stdout).files;
    const size = statSync(files.find((f) => f.endsWith('.mp4'))).size;
    record({
      target: 'peak RSS downloading a 500 MB video ≤ 150 MB',
      measured: `${run.peak_rss_mb.toFixed(0)} MB (file ${(size / 1e6).toFixed(0)} MB in ${(run.wall_ms / 1000).toFixed(1)} s)`,
      value: run.peak_rss_mb,
      ok: run.peak_rss_mb <= 150,
    });
  } finally {
    big.child.kill('SIGTERM');
  }
}

/** Requests the emulator served, less its own stats calls. */
function totalRequests(stats) {
  return stats.total - (stats.requests['GET /_emulator/stats'] ?? 0);
}

try {
  await main();
} finally {
  if (args.has('--json')) {
    process.stdout.write(`${JSON.stringify(results, null, 2)}\n`);
  } else {
    const width = Math.max(...results.map((r) => r.target.length));
    process.stdout.write(`\n${'target'.padEnd(width)}  result\n`);
    for (const r of results) process.stdout.write(`${r.target.padEnd(width)}  ${r.measured}${r.ok === undefined ? '' : r.ok ? '  ✓' : '  ✗'}\n`);
  }
}
