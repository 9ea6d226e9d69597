import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pauseCreates } from '../../src/db/tables/pacing.js';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { resourceKey } from '../../src/generate/pacer.js';
import { createSoraClient } from '../../src/sora/client.js';
import { API_KEY, makeUser, startWorld, type TestUser, type World } from '../generate/helpers.js';
import { octoProcess, until } from './octo-process.js';

/**
 * Issue 10, the rows of its table that need several processes, proven with the built CLI racing
 * itself over HTTP against the emulator, on `pg` and on the Neon HTTP driver. Each test counts the
 * creates the emulator saw per prompt: the money spent.
 */

const measured: string[] = [];

describe.each(['pg', 'neon'] as const)('many octo processes on one %s database', (kind) => {
  let world: World;
  let emulator: Emulator;
  const creates = new Map<string, number>();
  let onCreate: ((prompt: string) => void) | undefined;
  const createsOf = (prompts: string[]) => prompts.map((p) => creates.get(p) ?? 0);
  const total = (prompts: string[]) => createsOf(prompts).reduce((a, b) => a + b, 0);

  beforeAll(async () => {
    world = await startWorld(kind);
    emulator = await startEmulator({
      jobMs: 300,
      early404Ms: 20,
      apiKey: API_KEY,
      onCreate: (job) => {
        creates.set(job.prompt, (creates.get(job.prompt) ?? 0) + 1);
        onCreate?.(job.prompt);
      },
    });
  }, 60_000);
  afterAll(async () => {
    process.stdout.write(
      `[measure] many processes on ${kind}:\n${measured
        .splice(0)
        .map((m) => `  ${m}`)
        .join('\n')}\n`,
    );
    await emulator?.close();
    await world?.close();
  });

  const batch = (user: TestUser, name: string, n: number) => {
    const prompts = Array.from({ length: n }, (_, i) => `${kind} ${name} line ${i + 1}`);
    writeFileSync(join(user.out, `${name}.txt`), `${prompts.join('\n')}\n`);
    return prompts;
  };
  const rowsOf = (userId: string) =>
    world.db.query<{
      id: string;
      batch_line: number;
      status: string;
      job_id: string | null;
      submitted_at: Date | null;
      claimed_by: string | null;
      videos: number;
      estimated_cost: number;
    }>(
      `SELECT g.id, g.batch_line, g.status, g.job_id, g.submitted_at, g.claimed_by, g.estimated_cost::float8 AS estimated_cost,
              (SELECT count(*)::int FROM video_metadata m WHERE m.generation_id = g.id) AS videos
         FROM video_generations g WHERE g.user_id = $1 ORDER BY g.batch_line`,
      [userId],
    );

  it('generate --file and jobs wait --all over the same rows: each line created once, one video each, costs add up', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompts = batch(user, 'b10', 10);
    const a = octoProcess(user, ['generate', '--file', 'b10.txt', '--json', '--concurrency', '2', '--creates-per-minute', '0']);
    await until(() => total(prompts) >= 1, 20_000, 'the first create');
    const b = octoProcess(user, ['jobs', 'wait', '--all', '--json', '--concurrency', '4', '--creates-per-minute', '0']);
    const [ra, rb] = await Promise.all([a.done, b.done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(JSON.parse(ra.stdout).map((r: any) => r.status)).toEqual(prompts.map(() => 'completed'));
    expect(createsOf(prompts)).toEqual(prompts.map(() => 1));
    const rows = await rowsOf(user.userId);
    expect(rows.map((r) => [r.status, r.videos, r.claimed_by])).toEqual(prompts.map(() => ['completed', 1, null]));
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(10);
    const costs = await user.cli(['costs', '--json']);
    expect(costs.code, costs.stderr).toBe(0);
    expect(JSON.stringify(costs.json())).toContain('4');
    const spent = rows.reduce((s, r) => s + Number(r.estimated_cost), 0);
    expect(spent).toBeCloseTo(total(prompts) * 0.4, 5);
    measured.push(`generate & jobs wait --all, 10 lines: ${total(prompts)} creates, ${rows.length} rows, $${spent.toFixed(2)} recorded`);
  });

  it('two generate --resume of one file at the same time: 12 lines, 12 creates, both report every line completed', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompts = batch(user, 'twelve', 12);
    const args = ['generate', '--file', 'twelve.txt', '--resume', '--json', '--concurrency', '3', '--creates-per-minute', '0'];
    const [ra, rb] = await Promise.all([octoProcess(user, args).done, octoProcess(user, args).done]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    for (const r of [ra, rb]) expect(JSON.parse(r.stdout).map((x: any) => [x.line, x.status])).toEqual(prompts.map((_, i) => [i + 1, 'completed']));
    expect(createsOf(prompts)).toEqual(prompts.map(() => 1));
    measured.push(`two --resume at once, 12 lines: ${total(prompts)} creates`);
  });

  it('a plain second generate --file, started after the first has recorded the run, joins it: both exit 0, each line created once', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompts = batch(user, 'joined', 4);
    // Creates paused until the second process has joined: the first run is surely unfinished then.
    const resource = resourceKey({ endpoint: emulator.url, deployment: 'sora-2' });
    await pauseCreates(world.db, resource, 60_000);
    const a = octoProcess(user, ['generate', '--file', 'joined.txt', '--json', '--concurrency', '1', '--creates-per-minute', '0']);
    await until(async () => (await rowsOf(user.userId)).length === 4, 20_000, 'the first run recorded');
    const b = octoProcess(user, ['generate', '--file', 'joined.txt', '--concurrency', '2', '--creates-per-minute', '0']);
    await until(() => /Joining the unfinished run of batch|error/.test(b.stderrSoFar()), 20_000, 'the second process joined');
    await world.db.query('UPDATE octo_create_pacing SET paused_until = NULL WHERE resource = $1', [resource]);
    const [first, second] = await Promise.all([a.done, b.done]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('4 completed, 0 failed of 4');
    expect(createsOf(prompts)).toEqual(prompts.map(() => 1));
  });

  it('jobs cancel of a line a running batch has not submitted yet: the cancel wins, the line is never created', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompts = batch(user, 'cancel', 3);
    // Creates on the resource are paused (as a 429 seen by any process would do): the batch's
    // workers hold their lines and wait for their turn until the cancel is done (a state, not a
    // time window: a busy machine may take seconds to start the batch and the cancel).
    const resource = resourceKey({ endpoint: emulator.url, deployment: 'sora-2' });
    await pauseCreates(world.db, resource, 60_000);
    const run = octoProcess(user, ['generate', '--file', 'cancel.txt', '--json', '--concurrency', '3', '--creates-per-minute', '0']);
    await until(async () => (await rowsOf(user.userId)).filter((r) => r.claimed_by).length === 3, 20_000, 'three claimed lines');
    const target = (await rowsOf(user.userId))[1]!;
    expect(target.submitted_at).toBeNull();
    const cancel = await user.cli(['jobs', 'cancel', target.id, '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect((await rowsOf(user.userId)).filter((x) => x.submitted_at)).toEqual([]);
    await world.db.query('UPDATE octo_create_pacing SET paused_until = NULL WHERE resource = $1', [resource]);
    const r = await run.done;
    expect(r.code, r.stderr).toBe(6);
    expect(JSON.parse(r.stdout).map((x: any) => x.status)).toEqual(['completed', 'canceled', 'completed']);
    expect(createsOf(prompts)).toEqual([1, 0, 1]);
    const rows = await rowsOf(user.userId);
    expect(rows.map((x) => [x.status, x.job_id === null, x.submitted_at === null])).toEqual([
      ['completed', false, false],
      ['canceled', true, true],
      ['completed', false, false],
    ]);
  });

  it('kill -9 of a worker mid-batch: another process says the lines are held, takes them over when the lease expires, and creates each once', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompts = batch(user, 'killed', 6);
    // The dead process's leases last 4 s, so the next one surely finds them held.
    const a = octoProcess(user, ['generate', '--file', 'killed.txt', '--json', '--concurrency', '2', '--creates-per-minute', '0'], { OCTO_LEASE_MS: '4000' });
    onCreate = (prompt) => {
      if (prompts.includes(prompt) && total(prompts) === 2) a.child.kill('SIGKILL');
    };
    const killed = await a.done;
    onCreate = undefined;
    expect(killed.signal).toBe('SIGKILL');
    const atKill = await rowsOf(user.userId);
    const held = atKill.filter((r) => r.claimed_by && r.status !== 'completed').length;
    expect(held).toBeGreaterThan(0);
    const started = Date.now();
    const b = await octoProcess(user, ['jobs', 'wait', '--all', '--creates-per-minute', '0']).done;
    expect(b.code, b.stderr).toBe(0);
    // Killed on this machine: said to be gone, with when its claim lapses, not "another octo process".
    expect(b.stderr).toMatch(
      new RegExp(
        `held by octo process ${a.child.pid} on this machine, which is no longer running \\(its claim lapses within [1-4] s\\); this run takes it then`,
      ),
    );
    expect(b.stderr).not.toContain('being handled by another octo process');
    expect(createsOf(prompts)).toEqual(prompts.map(() => 1));
    const rows = await rowsOf(user.userId);
    expect(rows.map((r) => [r.status, r.videos])).toEqual(prompts.map(() => ['completed', 1]));
    measured.push(
      `kill -9 after 2 creates (${held} lines held by the dead process): jobs wait --all took ${Date.now() - started} ms (its lease 4000 ms), ${total(prompts)} creates for ${prompts.length} lines`,
    );
  });

  it('six identical lines all left "submitted, no job id", recovered by two processes at once: each row gets its own job', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompt = `${kind} six takes of one prompt`;
    writeFileSync(join(user.out, 'takes.txt'), `${Array.from({ length: 6 }, () => prompt).join('\n')}\n`);
    const first = await user.cli(['generate', '--file', 'takes.txt', '--no-wait', '--creates-per-minute', '0']);
    expect(first.code, first.stderr).toBe(0);
    expect(creates.get(prompt)).toBe(6);
    // As a kill -9 between each create and its answer leaves them: submitted, no job id.
    await world.db.query(`UPDATE video_generations SET status = 'queued', job_id = NULL, video_id = NULL WHERE user_id = $1`, [user.userId]);
    const [ra, rb] = await Promise.all([
      octoProcess(user, ['generate', '--file', 'takes.txt', '--resume', '--concurrency', '6', '--creates-per-minute', '0']).done,
      octoProcess(user, ['jobs', 'wait', '--all', '--concurrency', '6', '--creates-per-minute', '0']).done,
    ]);
    expect(ra.code, ra.stderr).toBe(0);
    expect(rb.code, rb.stderr).toBe(0);
    expect(creates.get(prompt)).toBe(6);
    const rows = await rowsOf(user.userId);
    expect(rows.map((r) => [r.status, r.videos])).toEqual(rows.map(() => ['completed', 1]));
    expect(new Set(rows.map((r) => r.job_id)).size).toBe(6);
  });

  it('a crash leaves a line "submitted, no job id" and 500 newer jobs exist: --resume finds it and creates nothing', async () => {
    const user = await makeUser(world, { endpoint: emulator.url, active: 's2' });
    const prompts = batch(user, 'orphan', 1);
    const a = octoProcess(user, ['generate', '--file', 'orphan.txt', '--creates-per-minute', '0']);
    // Killed inside the create, before its answer: the job exists, the row has no job id.
    onCreate = (prompt) => {
      if (prompt === prompts[0]) a.child.kill('SIGKILL');
    };
    const killed = await a.done;
    onCreate = undefined;
    expect(killed.signal).toBe('SIGKILL');
    const [orphan] = await rowsOf(user.userId);
    expect(orphan).toMatchObject({ job_id: null });
    expect(orphan!.submitted_at).not.toBeNull();
    const client = createSoraClient({ endpoint: emulator.url, apiKey: API_KEY, deployment: 'sora-2', soraVersion: 'sora-2' });
    for (let i = 0; i < 500; i += 25) {
      await Promise.all(Array.from({ length: 25 }, (_, j) => client.create({ prompt: `${kind} newer job ${i + j}`, size: '720x1280', seconds: 4 })));
    }
    const resumed = await octoProcess(user, ['generate', '--file', 'orphan.txt', '--resume', '--creates-per-minute', '0']).done;
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('found job video_');
    expect(createsOf(prompts)).toEqual([1]);
    expect((await rowsOf(user.userId))[0]).toMatchObject({ status: 'completed', videos: 1 });
  });
});

describe('one create quota per Azure resource, shared by three users', () => {
  let world: World;
  let limited: Emulator;
  beforeAll(async () => {
    world = await startWorld('pg');
    // The service's quota: 3 creates in any 2 s (a minute, shortened for the test).
    limited = await startEmulator({ jobMs: 200, early404Ms: 20, apiKey: API_KEY, rateLimit: 3, rateLimitWindowMs: 2_000 });
  }, 60_000);
  afterAll(async () => {
    await limited?.close();
    await world?.close();
  });

  it('three processes of three users, 3 lines each, pace 3 per window: 9 creates, no 429, paced through the database', async () => {
    const users = await Promise.all([0, 1, 2].map(() => makeUser(world, { endpoint: limited.url, active: 's2' })));
    for (const [i, u] of users.entries()) writeFileSync(join(u.out, 'q.txt'), [1, 2, 3].map((n) => `user ${i} line ${n}`).join('\n'));
    const started = Date.now();
    const runs = await Promise.all(
      // octo's window is the service's plus a margin for the time a create takes to arrive.
      users.map((u) => octoProcess(u, ['generate', '--file', 'q.txt', '--json', '--creates-per-minute', '3'], { OCTO_QUOTA_WINDOW_MS: '2400' }).done),
    );
    const wall = Date.now() - started;
    for (const r of runs) {
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout).every((x: any) => x.status === 'completed')).toBe(true);
    }
    expect(limited.stats.creates['sora-2']).toBe(9);
    expect(limited.stats.responses['429'] ?? 0).toBe(0);
    // 9 creates at 3 per window need two full windows after the first three.
    expect(wall).toBeGreaterThan(4_000);
    const [pacing] = await world.db.query<{ creates: number; rate_limited: number }>(`SELECT creates::int, rate_limited::int FROM octo_create_pacing`);
    expect(pacing).toEqual({ creates: 9, rate_limited: 0 });
    measured.push(`quota 3/2 s, 3 users × 3 lines: 9 creates, 0 × 429, ${wall} ms`);
  });

  it('paces that disagree: the strict process finishing first does not let the lax one burst into its window (0 × 429)', async () => {
    const service = await startEmulator({ jobMs: 200, early404Ms: 20, apiKey: API_KEY, rateLimit: 3, rateLimitWindowMs: 2_000 });
    try {
      const [strict, lax] = await Promise.all([0, 1].map(() => makeUser(world, { endpoint: service.url, active: 's2' })));
      writeFileSync(join(strict!.out, 's.txt'), 'strict line 1\nstrict line 2\n');
      writeFileSync(join(lax!.out, 'l.txt'), [1, 2, 3, 4].map((n) => `lax line ${n}`).join('\n'));
      const env = { OCTO_QUOTA_WINDOW_MS: '2400' };
      const a = octoProcess(strict!, ['generate', '--file', 's.txt', '--json', '--creates-per-minute', '3'], env);
      await until(() => service.stats.creates['sora-2'] >= 1, 20_000, "the strict user's first create");
      const b = octoProcess(lax!, ['generate', '--file', 'l.txt', '--json', '--creates-per-minute', '10'], env);
      const [ra, rb] = await Promise.all([a.done, b.done]);
      expect(ra.code, ra.stderr).toBe(0);
      expect(rb.code, rb.stderr).toBe(0);
      expect(service.stats.creates['sora-2']).toBe(6);
      // The strict pace (3) governs the window its own creates are in, after its process is gone.
      expect(service.stats.responses['429'] ?? 0).toBe(0);
    } finally {
      await service.close();
    }
  });
});
