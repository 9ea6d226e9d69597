// Bench section for issue 11: the cost of row-level security. The same read commands as the
// owner (no policies apply to the table owner) and as a member (policies, session per statement),
// interleaved on local Postgres over the same amount of data each; and round trips on Neon's HTTP
// driver through the local SQL-over-HTTP endpoint the tests use (bundled here with esbuild).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { interleaved, startChild, timeOnce } from './measure.mjs';

const READS = [['whoami'], ['profile', 'list'], ['videos', 'list'], ['jobs', 'list'], ['costs']];
const PASSWORD = 'bench-password-1';

async function sqlOn(url, text, values = []) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows;
  } finally {
    await client.end();
  }
}

async function seedUser(url, email, count) {
  await sqlOn(
    url,
    `WITH u AS (SELECT id FROM users WHERE email = $1),
     v AS (INSERT INTO video_metadata (user_id, file_id, url, prompt, height, width, duration, sora_version, azure_video_id, created_at)
           SELECT u.id, 'gen_' || i, '/videos/' || i || '.mp4', 'bench prompt ' || i, '720', '1280', '4', 'sora-2', 'video_' || i,
                  NOW() - (i || ' minutes')::interval FROM u, generate_series(1, $2) AS i RETURNING 1)
     INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, variants, generation_mode, estimated_cost,
                                    profile_name, status, job_id, created_at)
     SELECT u.id, 'bench ' || i, 'sora-2', 4, '720x1280', 1, 'text-to-video', 0.4, 'bench', 'completed', 'job_' || i,
            NOW() - ((i % 28) || ' days')::interval FROM u, generate_series(1, $2) AS i`,
    [email, count],
  );
}

/**
 * Starts test/support/neon-http-endpoint.ts (TypeScript, bundled here with esbuild) in a child
 * process: the bench runs octo synchronously, which would block an endpoint served from here.
 */
async function startNeonEndpoint(root, node, target) {
  const { build } = await import('esbuild');
  // Inside node_modules, so the bundle's own imports (pg) resolve.
  const outfile = join(root, 'node_modules', '.cache', 'octo-bench', `neon-http-endpoint-${process.pid}.mjs`);
  await build({
    entryPoints: [join(root, 'test', 'support', 'neon-http-endpoint.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    logLevel: 'silent',
  });
  const script = `const { startNeonHttpEndpoint } = await import(${JSON.stringify(outfile)});
    const e = await startNeonHttpEndpoint({ target: ${JSON.stringify(target)} });
    console.log(e.url);`;
  const { child, line } = await startChild(node, ['--input-type=module', '-e', script]);
  return {
    url: line,
    close: () => {
      child.kill('SIGTERM');
      rmSync(outfile, { force: true });
    },
  };
}

function roundTrips(node, octo, argv, env) {
  const { stderr } = timeOnce(node, [octo, ...argv, '--json', '--debug'], { env });
  return stderr.split('\n').filter((l) => /\] db [\d.]+ ms/.test(l)).length;
}

/**
 * @param {{ root: string, node: string, octo: string, adminUrl: string, baseEnv: Record<string,string>, work: string,
 *           runs: number, rows: number, record: (row: object) => void, log: (line: string) => void }} ctx
 */
export async function benchMembers({ root, node, octo, adminUrl, baseEnv, work, runs, rows, record, log }) {
  const name = `octo_bench_members_${process.pid}`;
  const role = `octo_bench_member_${process.pid}`;
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const ownerUrl = url.toString();
  await sqlOn(adminUrl, `DROP DATABASE IF EXISTS ${name}`);
  await sqlOn(adminUrl, `CREATE DATABASE ${name}`);
  const dir = join(work, 'members');
  mkdirSync(dir, { recursive: true });
  const ownerEnv = { ...baseEnv, OCTO_DATABASE_URL: ownerUrl, OCTO_CONFIG_DIR: join(dir, 'owner') };
  // timeOnce throws, with the command's stderr, when a command fails.
  const run = (argv, env, input) => timeOnce(node, [octo, ...argv], { env, input });
  let endpoint;
  try {
    log(`members: owner vs member on pg (${rows} videos and generations each)`);
    run(['db', 'migrate'], ownerEnv);
    const enabled = JSON.parse(run(['db', 'members', 'enable', '--role', role, '--json'], ownerEnv).stdout);
    const memberEnv = { ...baseEnv, OCTO_DATABASE_URL: enabled.url, OCTO_CONFIG_DIR: join(dir, 'member') };
    run(['signup', '--email', 'owner@octo.local', '--name', 'Owner', '--password-stdin'], ownerEnv, `${PASSWORD}\n`);
    run(['signup', '--email', 'member@octo.local', '--name', 'Member', '--password-stdin'], memberEnv, `${PASSWORD}\n`);
    for (const env of [ownerEnv, memberEnv]) {
      run(
        ['profile', 'add', 'bench', '--endpoint', 'http://127.0.0.1:9', '--deployment', 'sora-2', '--sora-version', 'sora-2', '--api-key-stdin', '--no-check'],
        env,
        'bench-key\n',
      );
    }
    await seedUser(ownerUrl, 'owner@octo.local', rows);
    await seedUser(ownerUrl, 'member@octo.local', rows);
    await sqlOn(ownerUrl, 'VACUUM ANALYZE');

    const cases = READS.flatMap((argv) => [
      { name: `${argv.join(' ')} (owner)`, command: node, args: [octo, ...argv, '--json'], options: { env: ownerEnv } },
      { name: `${argv.join(' ')} (member)`, command: node, args: [octo, ...argv, '--json'], options: { env: memberEnv } },
    ]);
    const timings = interleaved(cases, runs);
    let ownerTotal = 0;
    let memberTotal = 0;
    for (let i = 0; i < READS.length; i += 1) {
      const owner = timings[2 * i].median_ms;
      const member = timings[2 * i + 1].median_ms;
      ownerTotal += owner;
      memberTotal += member;
      const r = Math.round((member / owner) * 100) / 100;
      record({
        target: `members: ${READS[i].join(' ')} member ≤ 1.15× owner (pg)`,
        measured: `${r}× (${member.toFixed(1)} ms vs ${owner.toFixed(1)} ms)`,
        value: r,
        ok: r <= 1.15,
      });
    }
    const all = Math.round((memberTotal / ownerTotal) * 100) / 100;
    record({ target: 'members: the five read commands together, member ≤ 1.15× owner (pg)', measured: `${all}×`, value: all, ok: all <= 1.15 });
    for (const argv of READS) {
      const n = roundTrips(node, octo, argv, memberEnv);
      record({ target: `members: ${argv.join(' ')} round trips on pg, member (target 1)`, measured: `${n}`, value: n, ok: n === 1 });
    }

    log('members: round trips on Neon HTTP (local endpoint)');
    const target = new URL(adminUrl);
    endpoint = await startNeonEndpoint(root, node, { host: target.hostname, port: Number(target.port || 5432) });
    const neonUrl = new URL(enabled.url);
    neonUrl.hostname = 'ep-bench.localtest.neon.tech';
    neonUrl.port = '';
    const neonEnv = {
      ...memberEnv,
      OCTO_DATABASE_URL: neonUrl.toString(),
      OCTO_DB_DRIVER: 'neon',
      OCTO_NEON_FETCH_ENDPOINT: endpoint.url,
      OCTO_CONFIG_DIR: join(dir, 'neon'),
    };
    run(['login', '--email', 'member@octo.local', '--password-stdin'], neonEnv, `${PASSWORD}\n`);
    for (const argv of READS) {
      // The Neon driver makes one HTTP request per round trip it counts (a query, or a transaction).
      const n = roundTrips(node, octo, argv, neonEnv);
      record({ target: `members: ${argv.join(' ')} round trips on Neon HTTP, member (target 1)`, measured: `${n}`, value: n, ok: n === 1 });
    }
  } finally {
    endpoint?.close();
    await sqlOn(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await sqlOn(adminUrl, `DROP ROLE IF EXISTS ${role}`).catch(() => undefined);
  }
}
