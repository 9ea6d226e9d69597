import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_KEY, makeUser, startWorld, type World, expectNoSecretsInTranscript } from './helpers.js';
import { capture, defined, firstRow } from '../support/defined.js';

let world: World;
beforeAll(async () => {
  world = await startWorld('pg');
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await world?.close();
});

const gen = (w: World, id: string) => w.db.query(`SELECT * FROM video_generations WHERE id = $1`, [id]).then((r) => firstRow(r, `generation ${id}`));

describe('octo generate (single)', () => {
  it('sora-1: validates, records, waits, downloads every variant and thumbnail, records the videos', async () => {
    const user = await makeUser(world);
    const r = await user.cli(['generate', 'a cat playing piano', '--size', '480x480', '--seconds', '3', '--variants', '2', '--tag', 'campaign=q4', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const out = r.json();
    expect(Object.keys(out)).toEqual(
      expect.arrayContaining(['id', 'job_id', 'status', 'prompt', 'model', 'seconds', 'size', 'variants', 'generation_mode', 'estimated_cost', 'files']),
    );
    expect(out).toMatchObject({
      status: 'completed',
      prompt: 'a cat playing piano',
      model: 'sora-1',
      seconds: 3,
      size: '480x480',
      variants: 2,
      generation_mode: 'text-to-video',
      estimated_cost: 0.075,
    });
    expect(out.job_id).toMatch(/^task_/);
    expect(out.files).toHaveLength(2);
    for (const f of out.files) {
      expect(f.startsWith(join(user.out, 'octo-videos'))).toBe(true);
      expect(statSync(f).size).toBeGreaterThan(100);
      expect(existsSync(f.replace(/\.mp4$/, '.jpg'))).toBe(true);
    }
    const row = await gen(world, out.id);
    expect(row).toMatchObject({ status: 'completed', job_id: out.job_id, profile_name: 's1', generation_mode: 'text-to-video', tags: { campaign: 'q4' } });
    expect(row.submitted_at).toBeInstanceOf(Date);
    expect(row.finished_at).toBeInstanceOf(Date);
    const videos = await world.db.query(`SELECT * FROM video_metadata WHERE generation_id = $1 ORDER BY file_id`, [out.id]);
    expect(videos).toHaveLength(2);
    expect(videos.map((v) => v.url).sort()).toEqual([...out.files].sort());
    expect(videos[0]).toMatchObject({ width: '480', height: '480', duration: '3', sora_version: 'sora-1', prompt: 'a cat playing piano' });
    expect(JSON.stringify(r)).not.toContain(API_KEY);
  });

  it('sora-2 with --profile, --out, and a plain-text progress on stderr', async () => {
    const user = await makeUser(world);
    const dir = join(user.out, 'mine');
    const r = await user.cli(['generate', 'a paper boat', '--profile', 's2', '--out', dir]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Estimated cost: $0.40 (sora-2, 720x1280, 4 s, text-to-video)');
    expect(r.stderr).toMatch(/job: submitted video_/);
    expect(r.stderr).toMatch(/job: completed → /);
    expect(r.stdout).toMatch(/status\tcompleted/);
    const [file] = capture(/files\t(.*)/, r.stdout).split(', ');
    expect(file?.startsWith(dir)).toBe(true);
    expect(existsSync(defined(file, 'a file').replace(/\.mp4$/, '.webp'))).toBe(true);
  });

  it('--dry-run prints the estimate and the would-be result, records nothing', async () => {
    const user = await makeUser(world);
    const r = await user.cli(['generate', 'a dry run', '--profile', 's2', '--seconds', '8', '--json', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ id: null, job_id: null, status: 'dry-run', estimated_cost: 0.8, seconds: 8, files: [] });
    const { n } = firstRow(await world.db.query(`SELECT count(*)::int AS n FROM video_generations WHERE user_id = $1`, [user.userId]));
    expect(n).toBe(0);
  });

  it('--dry-run checks the budgets a real run would be reserved against, and shows only what it can fill', async () => {
    const user = await makeUser(world);
    await world.db.query('INSERT INTO octo_budgets (user_id, monthly_usd) VALUES ($1, 1.0)', [user.userId]);
    await world.db.query(`INSERT INTO octo_budgets (user_id, profile_name, monthly_usd) VALUES ($1, 's2', 0.5)`, [user.userId]);
    let r = await user.cli(['generate', 'a dry run', '--profile', 's2', '--dry-run']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('Within your monthly budget: $0.00 this month + $0.40 = $0.40 of $1.00');
    expect(r.stderr).toContain("Within profile s2's monthly budget: $0.00 this month + $0.40 = $0.40 of $0.50");
    // Nothing recorded, submitted or downloaded: no id, job or files row.
    expect(r.stdout.split('\n').map((l) => l.split('\t')[0])).toEqual(['status', 'model', 'size', 'seconds', 'estimate', '']);
    r = await user.cli(['generate', 'a dry run', '--profile', 's2', '--seconds', '8', '--dry-run', '--json']);
    expect(r.code).toBe(5);
    expect(r.json().error).toMatchObject({ code: 'budget_exceeded' });
    expect(r.json().error.message).toContain('the monthly budget of profile s2 would be exceeded: $0.00 spent or in flight this month + $0.80 estimated');
    expect(r.json().error.hint).toContain('a dry run: nothing was recorded or submitted');
    // The same check as the real run's reservation, which refuses it too.
    expect((await user.cli(['generate', 'a dry run', '--profile', 's2', '--seconds', '8'])).code).toBe(5);
    const { n } = firstRow(await world.db.query(`SELECT count(*)::int AS n FROM video_generations WHERE user_id = $1`, [user.userId]));
    expect(n).toBe(0);
  });

  it('refuses bad values before spending: size for the model, --max-cost (exit 5), missing image, remix on sora-1', async () => {
    const user = await makeUser(world);
    const creates = () => world.emulator.stats.creates;
    const before = creates();
    let r = await user.cli(['generate', 'x', '--profile', 's2', '--size', '480x480']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('size 480x480 is not supported by sora-2');
    r = await user.cli(['generate', 'x', '--profile', 's2', '--seconds', '12', '--max-cost', '1', '--json']);
    expect(r.code).toBe(5);
    expect(r.json().error.code).toBe('budget_exceeded');
    r = await user.cli(['generate', 'x', '--image', 'nope.png']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`image not found: ${join(user.out, 'nope.png')}`);
    r = await user.cli(['generate', 'x', '--remix', 'video_123']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--remix needs a sora-2 profile');
    expect(creates()).toEqual(before);
    const { n } = firstRow(await world.db.query(`SELECT count(*)::int AS n FROM video_generations WHERE user_id = $1`, [user.userId]));
    expect(n).toBe(0);
  });

  it('moderation: exit 7, the row failed with its reason', async () => {
    const user = await makeUser(world);
    const r = await user.cli(['generate', 'something forbidden', '--json']);
    expect(r.code).toBe(7);
    expect(r.json().error).toMatchObject({ code: 'generation_failed' });
    expect(r.json().error.message).toContain('input_moderation');
    const row = firstRow(await world.db.query(`SELECT status, failure_reason, job_id FROM video_generations WHERE user_id = $1`, [user.userId]));
    expect(row.status).toBe('failed');
    expect(row.failure_reason).toContain('input_moderation');
    expect(row.job_id).toMatch(/^task_/);
  });

  it('a missing deployment and a retired model: exit 7, recorded failed and unbilled (never in flight), the lifecycle named', async () => {
    const { startEmulator } = await import('../../src/emulator/server.js');
    // This resource has only a sora-2 deployment, and its model is retired: s1's `sora` is missing.
    const retiredDeployments: string[] = [];
    const em = await startEmulator({ apiKey: API_KEY, jobMs: 300, early404Ms: 30, deployments: ['sora-2'], retired: retiredDeployments });
    try {
      const user = await makeUser(world, { endpoint: em.url });
      const now = () => new Date('2026-12-04T12:00:00Z');
      // A video made while the deployment still served; then its model is retired.
      const before = await user.cli(['generate', 'a harbour at dawn', '--profile', 's2', '--json']);
      expect(before.code, before.stderr).toBe(0);
      retiredDeployments.push('sora-2');
      const missing = await user.cli(['generate', 'a cat', '--size', '480x480', '--json'], { overrides: { now } });
      expect(missing.code).toBe(7);
      const error = missing.json().error;
      expect(error.message).toContain("deployment 'sora' does not exist on this resource (404 DeploymentNotFound)");
      expect(error.message).toContain('not an outage');
      expect(error.message).toContain('Model sora-1: sora 2025-05-02 retired on 2026-02-15');
      expect(error.message).toContain('Nothing was created or billed.');
      expect(error.hint).toBe("check the deployment's name in the Azure portal, then: octo profile update s1 --deployment NAME");
      const retired = await user.cli(['generate', 'a boat', '--profile', 's2'], { overrides: { now } });
      expect(retired.code).toBe(7);
      expect(retired.stderr).toContain('model_retired: POST /videos: the model of the deployment is retired');
      expect(retired.stderr).toContain('sora-2 2025-10-06 retired on 2026-07-15 and sora-2 2025-12-08 retired on 2026-10-15');
      expect(em.stats.creates).toEqual({ 'sora-1': 0, 'sora-2': 1 });
      const rows = await world.db.query(
        `SELECT status, estimated_cost, job_id, failure_reason FROM video_generations WHERE user_id = $1 AND status <> 'completed' ORDER BY created_at`,
        [user.userId],
      );
      expect(rows.map((r) => [r.status, Number(r.estimated_cost), r.job_id])).toEqual([
        ['failed', 0, null],
        ['failed', 0, null],
      ]);
      expect(rows.map((r) => String(r.failure_reason).split(':')[0])).toEqual(['deployment_not_found', 'model_retired']);
      // History and costs stay readable; nothing counts as spent or in flight.
      const costs = await user.cli(['costs', '--json']);
      expect(costs.code).toBe(0);
      expect(costs.json()).toMatchObject({ total_cost: 0.4, count: 1, failed: { count: 2, estimated_cost: 0 } });
      await user.cli(['costs', 'budget', 'set', '--monthly', '5']);
      const budget = await user.cli(['costs', 'budget', 'show', '--json']);
      expect(JSON.stringify(budget.json())).toContain('"in_flight":0');
      const jobs = await user.cli(['jobs', 'list', '--json']);
      expect(jobs.json().map((j: { status: string }) => j.status)).toEqual(['failed', 'failed', 'completed']);
      const videos = await user.cli(['videos', 'list', '--json']);
      expect(videos.json().map((v: { prompt: string }) => v.prompt)).toEqual(['a harbour at dawn']);
      const gallery = await user.cli(['videos', 'gallery', '--out', '-']);
      expect(gallery.code, gallery.stderr).toBe(0);
      expect(gallery.stdout).toContain('a harbour at dawn');
      const shown = await user.cli(['jobs', 'show', before.json().id, '--json']);
      expect(shown.json()).toMatchObject({ status: 'completed' });
    } finally {
      await em.close();
    }
  });

  it('a batch on a retired deployment: one refused create, then every other line fails the same way without a request', async () => {
    const { startEmulator } = await import('../../src/emulator/server.js');
    const em = await startEmulator({ apiKey: API_KEY, jobMs: 300, retired: ['sora-2'] });
    try {
      const user = await makeUser(world, { endpoint: em.url });
      writeFileSync(join(user.out, 'three.txt'), 'one boat\ntwo boats\nthree boats\n');
      const r = await user.cli(['generate', '--file', 'three.txt', '--profile', 's2', '--concurrency', '1', '--json']);
      expect(r.code).toBe(6);
      expect(r.json().map((l: { status: string; estimated_cost: number }) => [l.status, l.estimated_cost])).toEqual([
        ['failed', 0],
        ['failed', 0],
        ['failed', 0],
      ]);
      expect(em.stats.requests['POST /videos']).toBe(1);
      expect(em.stats.creates['sora-2']).toBe(0);
    } finally {
      await em.close();
    }
  });

  it('image-to-video on both families, and remix on sora-2', async () => {
    const user = await makeUser(world);
    const png = join(user.out, 'ref.png');
    writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]));
    let r = await user.cli(['generate', 'animate it', '--image', 'ref.png', '--size', '854x480', '--seconds', '2', '--json']);
    expect(r.code).toBe(0);
    expect(r.json()).toMatchObject({ generation_mode: 'image-to-video', status: 'completed' });
    r = await user.cli(['generate', 'animate it', '--image', png, '--profile', 's2', '--json']);
    expect(r.code).toBe(0);
    const first = r.json();
    expect(first.generation_mode).toBe('image-to-video');
    const eight = (await user.cli(['generate', 'eight seconds', '--seconds', '8', '--size', '1280x720', '--profile', 's2', '--json'])).json();
    r = await user.cli(['generate', 'the same at night', '--remix', eight.job_id, '--profile', 's2', '--json']);
    expect(r.code).toBe(0);
    // The remix keeps (and is priced by) its source's size and duration.
    expect(r.json()).toMatchObject({ generation_mode: 'remix', status: 'completed', size: '1280x720', seconds: 8, estimated_cost: 0.8 });
    expect((await user.cli(['generate', 'gone', '--remix', 'video_nope', '--profile', 's2'])).code).toBe(3);
    const modes = await world.db.query(`SELECT generation_mode FROM video_generations WHERE user_id = $1 ORDER BY created_at`, [user.userId]);
    expect(modes.map((m) => m.generation_mode)).toEqual(['image-to-video', 'image-to-video', 'text-to-video', 'remix']);
  });

  it('--no-wait returns the job id (exit 0); --timeout that passes exits 8 with the job still running', async () => {
    const user = await makeUser(world);
    let r = await user.cli(['generate', 'later', '--no-wait', '--json']);
    expect(r.code).toBe(0);
    expect(r.json().status).toMatch(/queued|running/);
    expect(r.json().job_id).toMatch(/^task_/);
    r = await user.cli(['generate', 'slow', '--profile', 's2', '--timeout', '1ms', '--json']);
    expect(r.code).toBe(8);
    expect(r.json().status).toMatch(/queued|running/);
    expect(r.stderr).toContain(`octo jobs wait ${r.json().id}`);
  });

  it('config default-size / default-seconds and a pricing file shape the request and its recorded estimate', async () => {
    const user = await makeUser(world, { active: 's2' });
    expect((await user.cli(['config', 'set', 'default-size', '1280x720'])).code).toBe(0);
    expect((await user.cli(['config', 'set', 'default-seconds', '8'])).code).toBe(0);
    writeFileSync(
      join(user.out, 'prices.json'),
      JSON.stringify([{ model: 'sora-2', size: '1280x720', usd_per_second: 0.2, source: 'test invoice', as_of: '2026-11-01' }]),
    );
    expect((await user.cli(['config', 'set', 'pricing-file', join(user.out, 'prices.json')])).code).toBe(0);
    const r = await user.cli(['generate', 'configured', '--json', '--no-download']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ size: '1280x720', seconds: 8, estimated_cost: 1.6, files: [] });
    const row = await gen(world, r.json().id);
    expect(Number(row.estimated_cost)).toBe(1.6);
    expect(Number(row.unit_price_usd)).toBe(0.2);
    expect(row.pricing_version).toMatch(/^file:/);
    // --no-download still records the video, pointing at the service's copy.
    const video = firstRow(await world.db.query(`SELECT url FROM video_metadata WHERE generation_id = $1`, [r.json().id]));
    expect(video.url).toBe(`${world.emulator.url}/openai/v1/videos/${r.json().job_id}/content`);
  });

  it('--debug times every HTTP call and database round trip, with no secret in sight', async () => {
    const user = await makeUser(world, { active: 's2' });
    const r = await user.cli(['generate', 'debugged', '--debug', '--no-download']);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/http POST http:\/\/127\.0\.0\.1:\d+\/openai\/v1\/videos → 200/);
    expect(r.stderr).toMatch(/db [\d.]+ ms/);
    expect(r.stderr).not.toContain(API_KEY);
    expect(r.stderr).not.toContain(user.env.OCTO_TOKEN);
  });
});
