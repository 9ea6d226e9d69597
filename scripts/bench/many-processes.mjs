// The "many processes" section (issue 10): three users, each in a config folder of their own, on
// one database and one emulated sora-2 deployment limited to 20 creates a minute, each running a
// 10-line batch at the same moment. Then the same again with one of them killed (-9) mid-run,
// after which another octo process of that user finishes its lines with `jobs wait --all`.
//
// Run with the whole bench (scripts/bench/run.mjs), or alone:
//   node scripts/bench/many-processes.mjs   (OCTO_BENCH_DATABASE_URL as for run.mjs)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startChild, timeOnce } from './measure.mjs';

const QUOTA = 20; // creates per minute, the emulator's --rate-limit
const LINES = 10;
const USERS = 3;

/** An octo child process; resolves with its exit, its output and its wall time. */
function octoChild(node, octo, argv, env) {
  const started = performance.now();
  const child = spawn(node, [octo, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  const done = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, wall_ms: performance.now() - started })));
  return { child, done };
}

async function stats(endpoint) {
  return (await fetch(`${endpoint}/_emulator/stats`)).json();
}

/** Every sora-2 job the emulator holds (id, prompt, created_at in ms), paging through its list. */
async function allJobs(endpoint) {
  const jobs = [];
  let after;
  for (;;) {
    const url = new URL('/openai/v1/videos', endpoint);
    url.searchParams.set('limit', '100');
    if (after) url.searchParams.set('after', after);
    const page = await (await fetch(url, { headers: { 'api-key': 'emulator-key' } })).json();
    for (const j of page.data) jobs.push({ id: j.id, prompt: j.prompt, created_ms: j.created_at * 1000 });
    if (!page.has_more || !page.last_id) return jobs;
    after = page.last_id;
  }
}

/**
 * @param {{ node: string, octo: string, env: Record<string, string>, dbUrl: string, record: (row: object) => void, log: (line: string) => void }} o
 */
export async function benchManyProcesses({ node, octo, env: baseEnv, dbUrl, record, log }) {
  log(`many processes: ${USERS} users × ${LINES} lines at once, one database, one deployment limited to ${QUOTA} creates/min`);
  const work = mkdtempSync(join(tmpdir(), 'octo-bench-many-'));
  const emu = await startChild(node, [octo, 'emulator', '--port', '0', '--job-seconds', '2', '--rate-limit', `${QUOTA}/min`], { env: baseEnv });
  const endpoint = emu.line;
  try {
    const users = [];
    for (let u = 0; u < USERS; u++) {
      const dir = join(work, `user${u}`);
      mkdirSync(dir, { recursive: true });
      // Short leases: a killed process's lines are free again 5 s after its last renewal.
      const env = { ...baseEnv, OCTO_DATABASE_URL: dbUrl, OCTO_CONFIG_DIR: join(dir, 'config'), OCTO_LEASE_MS: '5000', OCTO_POLL_MS: '250' };
      const email = `many-${process.pid}-${u}@octo.local`;
      const steps = [
        [['signup', '--email', email, '--name', `User ${u}`, '--password-stdin'], 'bench-password-1\n'],
        [['profile', 'add', 'emu', '--endpoint', endpoint, '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin'], 'emulator-key\n'],
      ];
      for (const [argv, input] of steps) timeOnce(node, [octo, ...argv], { env, input });
      users.push({ dir, env, email });
    }

    // 1. Three batches at once.
    const before = await stats(endpoint);
    const runs = users.map((u, i) => {
      const file = join(u.dir, 'batch.txt');
      writeFileSync(file, Array.from({ length: LINES }, (_, n) => `many processes user ${i} line ${n + 1}`).join('\n'));
      return octoChild(
        node,
        octo,
        ['generate', '--file', file, '--concurrency', '4', '--creates-per-minute', String(QUOTA), '--out', join(u.dir, 'videos'), '--json', '--quiet'],
        u.env,
      );
    });
    const results = await Promise.all(runs.map((r) => r.done));
    const after = await stats(endpoint);
    const wall = Math.max(...results.map((r) => r.wall_ms));
    const creates = after.creates['sora-2'] - before.creates['sora-2'];
    const limited = (after.rateLimited?.['sora-2'] ?? after.responses['429'] ?? 0) - (before.rateLimited?.['sora-2'] ?? before.responses['429'] ?? 0);
    const completed = results.flatMap((r) => (r.code === 0 ? JSON.parse(r.stdout) : [])).filter((x) => x.status === 'completed').length;
    const jobs = (await allJobs(endpoint)).filter((j) => j.prompt.startsWith('many processes user'));
    const times = jobs.map((j) => j.created_ms).sort((a, b) => a - b);
    const span = times.at(-1) - times[0];
    // With a one-minute window the quota lets N creates happen within floor((N-1)/QUOTA) minutes.
    const idealSpan = Math.floor((creates - 1) / QUOTA) * 60_000;
    const share = idealSpan > 0 ? idealSpan / Math.max(span, 1) : 1;
    record({
      target: `many processes: creates = ${USERS * LINES} (${USERS} users × ${LINES} lines)`,
      measured: `${creates}`,
      value: creates,
      ok: creates === USERS * LINES,
    });
    record({ target: 'many processes: 429 responses = 0', measured: `${limited}`, value: limited, ok: limited === 0 });
    record({ target: 'many processes: all lines completed', measured: `${completed} of ${USERS * LINES}`, value: completed, ok: completed === USERS * LINES });
    record({ target: 'many processes: wall time', measured: `${(wall / 1000).toFixed(1)} s (creates spread over ${(span / 1000).toFixed(1)} s)`, value: wall });
    record({
      target: `many processes: share of the quota used ≥ 90%`,
      measured: `${(share * 100).toFixed(0)}% (${creates} creates in ${(span / 1000).toFixed(1)} s; ${QUOTA}/min allows them in ${idealSpan / 1000} s)`,
      value: share,
      ok: share >= 0.9,
    });

    // 2. Again, and one of them is killed -9 after its third create; another process finishes its lines.
    log('many processes: kill -9 of one batch mid-run, then jobs wait --all');
    const beforeKill = await stats(endpoint);
    const victim = users[0];
    const second = users.map((u, i) => {
      const file = join(u.dir, 'again.txt');
      writeFileSync(file, Array.from({ length: LINES }, (_, n) => `many processes again user ${i} line ${n + 1}`).join('\n'));
      return octoChild(
        node,
        octo,
        ['generate', '--file', file, '--concurrency', '4', '--creates-per-minute', String(QUOTA), '--out', join(u.dir, 'videos'), '--json', '--quiet'],
        u.env,
      );
    });
    const db = new pg.Client({ connectionString: dbUrl });
    await db.connect();
    let killedBy = null;
    try {
      const victimCreates = async () =>
        (
          await db.query(
            `SELECT count(*)::int AS n FROM video_generations g JOIN users u ON u.id = g.user_id WHERE u.email = $1 AND g.job_id IS NOT NULL AND g.prompt LIKE 'many processes again%'`,
            [victim.email],
          )
        ).rows[0].n;
      while ((await victimCreates()) < 3) await new Promise((r) => setTimeout(r, 50));
      second[0].child.kill('SIGKILL');
      killedBy = (await second[0].done).signal;
    } finally {
      await db.end();
    }
    const finishing = octoChild(
      node,
      octo,
      ['jobs', 'wait', '--all', '--concurrency', '4', '--creates-per-minute', String(QUOTA), '--out', join(victim.dir, 'videos'), '--json', '--quiet'],
      victim.env,
    );
    const [waited, ...others] = await Promise.all([finishing.done, ...second.slice(1).map((r) => r.done)]);
    const afterKill = await stats(endpoint);
    const victimJobs = (await allJobs(endpoint)).filter((j) => j.prompt.startsWith('many processes again user 0 '));
    const victimDone = waited.code === 0 ? JSON.parse(waited.stdout).filter((x) => x.status === 'completed').length : 0;
    const othersOk = others.every((r) => r.code === 0);
    const limited2 =
      (afterKill.rateLimited?.['sora-2'] ?? afterKill.responses['429'] ?? 0) - (beforeKill.rateLimited?.['sora-2'] ?? beforeKill.responses['429'] ?? 0);
    record({
      target: 'many processes, kill -9 of one: its lines finished by jobs wait --all, creates = lines',
      measured: `killed by ${killedBy}; jobs wait --all exit ${waited.code}, ${victimDone} completed, ${victimJobs.length} creates for ${LINES} lines; others ${othersOk ? 'completed' : 'FAILED'}; ${afterKill.creates['sora-2'] - beforeKill.creates['sora-2']} creates in all, ${limited2} × 429`,
      value: victimJobs.length,
      ok: killedBy === 'SIGKILL' && waited.code === 0 && victimJobs.length === LINES && othersOk,
    });
  } finally {
    emu.child.kill('SIGTERM');
    rmSync(work, { recursive: true, force: true });
  }
}

// Alone: a database of its own on OCTO_BENCH_DATABASE_URL's server.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const adminUrl = process.env.OCTO_BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const name = `octo_bench_many_${process.pid}`;
  const admin = async (sql) => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    await c.query(sql).finally(() => c.end());
  };
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const root = fileURLToPath(new URL('../..', import.meta.url));
  const octo = join(root, 'bin', 'octo.js');
  const env = { ...process.env, NO_COLOR: '1', OCTO_TOKEN: '', DATABASE_URL: '' };
  await admin(`CREATE DATABASE ${name}`);
  const rows = [];
  try {
    timeOnce(process.execPath, [octo, 'db', 'migrate'], {
      env: { ...env, OCTO_DATABASE_URL: u.toString(), OCTO_CONFIG_DIR: mkdtempSync(join(tmpdir(), 'octo-bench-cfg-')) },
    });
    await benchManyProcesses({
      node: process.execPath,
      octo,
      env,
      dbUrl: u.toString(),
      record: (r) => rows.push(r) && process.stderr.write(`  ${r.target}: ${r.measured}\n`),
      log: (l) => process.stderr.write(`${l}\n`),
    });
  } finally {
    await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  }
  for (const r of rows) process.stdout.write(`${r.target}  ${r.measured}${r.ok === undefined ? '' : r.ok ? '  ✓' : '  ✗'}\n`);
}
