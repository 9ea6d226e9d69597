import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/server.js';
import { createSoraClient } from '../../src/sora/client.js';
import { API_KEY, makeUser, startWorld, type World, expectNoSecretsInTranscript } from './helpers.js';
import { firstRow } from '../support/defined.js';

let world: World;
let flaky: Emulator;
beforeAll(async () => {
  world = await startWorld('pg');
  flaky = await startEmulator({ jobMs: 250, early404Ms: 20, apiKey: API_KEY, failRate: 0.2, seed: 7 });
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await flaky?.close();
  await world?.close();
});

const count = async (userId: string) =>
  firstRow(await world.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM video_generations WHERE user_id = $1`, [userId])).n;

describe('octo generate --file', () => {
  it('validates the whole file first: a bad line is FILE:LINE, exit 2, nothing recorded or submitted', async () => {
    const user = await makeUser(world);
    const before = world.emulator.stats.creates;
    const cases: [string, string][] = [
      ['a fine prompt\n{"prompt": "x", "size": "999x999"}\n', 'bad.txt:2: size 999x999 is not supported by sora-1'],
      ['# comment\n\nok\n{"prompt": "x",\n', 'bad.txt:4: invalid JSON'],
      ['ok\n{"prompt": "x", "colour": "red"}', 'bad.txt:2: unknown field "colour"'],
      ['ok\n{"prompt": "x", "image": "missing.png"}', `bad.txt:2: image not found: ${join(user.out, 'missing.png')}`],
      ['ok\n{"prompt": "x", "profile": "s2", "seconds": 5}', 'bad.txt:2: seconds 5 is not supported by sora-2'],
      ['ok\n{"prompt": "x", "profile": "nope"}', 'bad.txt:2: no profile named "nope"'],
    ];
    for (const [content, expected] of cases) {
      writeFileSync(join(user.out, 'bad.txt'), content);
      const r = await user.cli(['generate', '--file', 'bad.txt']);
      expect(r.code, content).toBe(2);
      expect(r.stderr).toContain(expected);
    }
    expect(await count(user.userId)).toBe(0);
    expect(world.emulator.stats.creates).toEqual(before);
  });

  it('text lines and JSON Lines with per-line overrides; --json gives one result per line; a rerun of the finished file is refused naming --again; --resume submits nothing', async () => {
    const user = await makeUser(world);
    writeFileSync(
      join(user.out, 'mixed.txt'),
      [
        '# campaign',
        'a red kite',
        '',
        '{"prompt": "a blue kite", "profile": "s2", "seconds": 8, "tag": {"colour": "blue"}}',
        '{"prompt": "a green kite", "size": "480x480", "variants": 2}',
      ].join('\n'),
    );
    const r = await user.cli(['generate', '--file', 'mixed.txt', '--json', '--tag', 'campaign=kites', '--creates-per-minute', '0']);
    expect(r.code).toBe(0);
    const results = r.json();
    expect(results.map((x: any) => [x.line, x.status, x.model, x.seconds, x.size, x.variants, x.files.length])).toEqual([
      [2, 'completed', 'sora-1', 5, '1280x720', 1, 1],
      [4, 'completed', 'sora-2', 8, '720x1280', 1, 1],
      [5, 'completed', 'sora-1', 5, '480x480', 2, 2],
    ]);
    const rows = await world.db.query(`SELECT batch_line, tags, idempotency_key, batch_id FROM video_generations WHERE user_id = $1 ORDER BY batch_line`, [
      user.userId,
    ]);
    expect(rows.map((x) => x.tags)).toEqual([{ campaign: 'kites' }, { campaign: 'kites', colour: 'blue' }, { campaign: 'kites' }]);
    // A line's key is its batch and its content (hash, occurrence), not its number.
    expect(rows.map((x) => x.idempotency_key)).toEqual(rows.map(() => expect.stringMatching(new RegExp(`^${firstRow(rows).batch_id}:[0-9a-f]{24}:1$`))));

    const creates = world.emulator.stats.creates;
    const again = await user.cli(['generate', '--file', 'mixed.txt']);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('--again');
    const resumed = await user.cli(['generate', '--file', 'mixed.txt', '--resume', '--json']);
    expect(resumed.code).toBe(0);
    expect(resumed.json().map((x: any) => x.status)).toEqual(['completed', 'completed', 'completed']);
    expect(resumed.json()[2].files).toEqual(results[2].files.sort());
    expect(world.emulator.stats.creates).toEqual(creates);
    expect(await count(user.userId)).toBe(3);
  });

  it('reads prompts from stdin with --file -', async () => {
    const user = await makeUser(world);
    const r = await user.cli(['generate', '--file', '-', '--json'], { stdin: 'one\ntwo\n' });
    expect(r.code).toBe(0);
    expect(r.json().map((x: any) => [x.line, x.status])).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
  });

  it('a 429 pauses every worker; all lines still complete, each created once', async () => {
    const limited = await startEmulator({ jobMs: 200, early404Ms: 20, apiKey: API_KEY, rateLimit: 3, rateLimitWindowMs: 700 });
    try {
      const user = await makeUser(world, { endpoint: limited.url, active: 's2' });
      writeFileSync(join(user.out, 'p.txt'), Array.from({ length: 8 }, (_, i) => `prompt ${i + 1}`).join('\n'));
      const r = await user.cli(['generate', '--file', 'p.txt', '--creates-per-minute', '0', '--concurrency', '8']);
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('rate limited by the service: every worker pauses');
      expect(limited.stats.responses['429']).toBeGreaterThan(0);
      expect(limited.stats.creates['sora-2']).toBe(8);
      const statuses = await world.db.query(`SELECT status FROM video_generations WHERE user_id = $1`, [user.userId]);
      expect(statuses.every((s) => s.status === 'completed')).toBe(true);
    } finally {
      await limited.close();
    }
  });

  it('sora-1: never more than 2 jobs running at once', async () => {
    const user = await makeUser(world);
    world.emulator.resetStats();
    writeFileSync(join(user.out, 'p.txt'), Array.from({ length: 6 }, (_, i) => `s1 prompt ${i + 1}`).join('\n'));
    const r = await user.cli(['generate', '--file', 'p.txt', '--concurrency', '6', '--no-download']);
    expect(r.code).toBe(0);
    expect(world.emulator.stats.maxRunningSora1).toBeLessThanOrEqual(2);
    expect(world.emulator.stats.creates['sora-1']).toBe(6);
  });

  it('50 lines with --fail-rate 0.2: exit 6, every line completed or failed for a stated reason, the database agrees with the emulator job for job', async () => {
    const user = await makeUser(world, { endpoint: flaky.url, active: 's2' });
    const lines = Array.from({ length: 50 }, (_, i) => (i === 17 ? 'a forbidden scene' : `scene ${i + 1}`));
    writeFileSync(join(user.out, 'fifty.txt'), lines.join('\n'));
    const started = performance.now();
    const r = await user.cli(['generate', '--file', 'fifty.txt', '--json', '--concurrency', '8', '--creates-per-minute', '0']);
    const seconds = (performance.now() - started) / 1000;
    process.stdout.write(`[measure] 50-line batch (sora-2, fail-rate 0.2, concurrency 8): ${seconds.toFixed(1)} s\n`);
    expect(r.code).toBe(6);
    const results = r.json();
    expect(results).toHaveLength(50);
    expect(results.map((x: any) => x.line)).toEqual(lines.map((_, i) => i + 1));
    for (const x of results) {
      expect(['completed', 'failed']).toContain(x.status);
      if (x.status === 'failed') expect(x.failure_reason).toMatch(/internal_error|input_moderation/);
      else expect(x.files).toHaveLength(1);
    }
    expect(results[17]).toMatchObject({ status: 'failed' });
    expect(results[17].failure_reason).toContain('input_moderation');
    expect(results.filter((x: any) => x.status === 'failed').length).toBeGreaterThan(3);

    const client = createSoraClient({ endpoint: flaky.url, apiKey: API_KEY, deployment: 'sora-2', soraVersion: 'sora-2' });
    const remote = new Map((await client.list({ limit: 100 })).jobs.map((j) => [j.id, j]));
    const rows = await world.db.query<any>(`SELECT job_id, status, failure_reason FROM video_generations WHERE user_id = $1`, [user.userId]);
    expect(rows).toHaveLength(50);
    expect(flaky.stats.creates['sora-2']).toBe(50);
    expect(remote.size).toBe(50);
    for (const row of rows) {
      const job = remote.get(row.job_id)!;
      expect(job, row.job_id).toBeDefined();
      expect(row.status).toBe(job.status === 'succeeded' ? 'completed' : 'failed');
      if (row.status === 'failed') expect(row.failure_reason).toContain(job.failureCode);
    }
    const videos = await world.db.query(`SELECT count(*)::int AS n FROM video_metadata WHERE user_id = $1`, [user.userId]);
    expect(videos[0]?.n).toBe(rows.filter((x) => x.status === 'completed').length);
    expect(readFileSync(results.find((x: any) => x.status === 'completed').files[0]).length).toBeGreaterThan(100);
  });

  it('the whole batch is reserved at once against the monthly budget: over it, exit 5 and nothing recorded', async () => {
    const user = await makeUser(world, { active: 's2' });
    await world.db.query('INSERT INTO octo_budgets (user_id, monthly_usd) VALUES ($1, 1.0)', [user.userId]);
    writeFileSync(join(user.out, 'budget.txt'), 'one\ntwo\nthree\n');
    const before = world.emulator.stats.creates;
    const r = await user.cli(['generate', '--file', 'budget.txt', '--json']);
    expect(r.code).toBe(5);
    expect(r.json().error.message).toContain('$1.20 estimated');
    expect(await count(user.userId)).toBe(0);
    expect(world.emulator.stats.creates).toEqual(before);
    // A dry run says so too, with the same numbers, and records nothing either.
    const dry = await user.cli(['generate', '--file', 'budget.txt', '--json', '--dry-run']);
    expect(dry.code).toBe(5);
    expect(dry.json().error.message).toBe(r.json().error.message);
    expect(await count(user.userId)).toBe(0);
    writeFileSync(join(user.out, 'budget.txt'), 'one\ntwo\n');
    const fits = await user.cli(['generate', '--file', 'budget.txt', '--dry-run']);
    expect(fits.code).toBe(0);
    expect(fits.stderr).toContain('Within your monthly budget: $0.00 this month + $0.80 = $0.80 of $1.00');
    // No id, job, files or reason columns: a dry run fills none of them.
    expect(fits.stdout.split('\n').map((l) => l.split('\t'))).toEqual([['1', 'dry-run', '$0.40', 'one'], ['2', 'dry-run', '$0.40', 'two'], ['']]);
    const json = await user.cli(['generate', '--file', 'budget.txt', '--dry-run', '--json']);
    expect(json.json().map((x: any) => [x.line, x.id, x.job_id, x.status, x.estimated_cost, x.files])).toEqual([
      [1, null, null, 'dry-run', 0.4, []],
      [2, null, null, 'dry-run', 0.4, []],
    ]);
  });
});
