import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRoundTrips, makeUser, startWorld, type TestUser, type World, expectNoSecretsInTranscript } from '../generate/helpers.js';
import { firstRow } from '../support/defined.js';

let world: World;
let alice: TestUser;
let bob: TestUser;
let done: any;
beforeAll(async () => {
  world = await startWorld('pg', { jobMs: 400 });
  alice = await makeUser(world);
  bob = await makeUser(world);
  done = (await alice.cli(['generate', 'first job', '--json', '--no-download'])).json();
  await alice.cli(['generate', 'second job', '--profile', 's2', '--json', '--no-download']);
});
afterAll(async () => {
  await expectNoSecretsInTranscript();
  await world?.close();
});

const roundTrips = (user: TestUser, argv: string[]) => countRoundTrips(world, user, argv);

describe('octo jobs', () => {
  it('list: newest first, the JSON contract, filters, CSV; one round trip with the session check', async () => {
    const { r, trips } = await roundTrips(alice, ['jobs', 'list', '--json']);
    expect(trips).toBe(1);
    const list = r.json();
    expect(list.map((j: any) => j.prompt)).toEqual(['second job', 'first job']);
    for (const key of ['id', 'job_id', 'status', 'prompt', 'profile_name', 'created_at']) expect(list[0]).toHaveProperty(key);
    expect(list[0].created_at).toMatch(/T.*(Z|[+-]\d\d:\d\d)$/);
    expect((await alice.cli(['jobs', 'list', '--limit', '1', '--json'])).json()).toHaveLength(1);
    expect((await alice.cli(['jobs', 'list', '--status', 'failed', '--json'])).json()).toEqual([]);
    const csv = await alice.cli(['jobs', 'list', '--csv']);
    // Lossless: every field of the row, in UTC.
    expect(firstRow(csv.stdout.split('\n')).split(',').sort()).toEqual([
      'created_at',
      'estimated_cost',
      'failure_reason',
      'id',
      'job_id',
      'profile_name',
      'prompt',
      'status',
    ]);
    expect((await bob.cli(['jobs', 'list', '--json'])).json()).toEqual([]);
  });

  it('wait ID follows a --no-wait job to the end and downloads it; another user gets exit 3', async () => {
    const started = (await alice.cli(['generate', 'waited for', '--no-wait', '--json'])).json();
    expect((await bob.cli(['jobs', 'wait', started.id])).code).toBe(3);
    const r = await alice.cli(['jobs', 'wait', started.id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json()).toMatchObject({ id: started.id, job_id: started.job_id, status: 'completed' });
    expect(r.json().files).toHaveLength(1);
    // By job id too, and a finished job just reports itself.
    const again = await alice.cli(['jobs', 'wait', started.job_id, '--json']);
    expect(again.json().status).toBe('completed');
    expect((await alice.cli(['jobs', 'wait'])).code).toBe(2);
    expect((await alice.cli(['jobs', 'wait', '--all', '--json'])).json()).toEqual([]);
  });

  it('wait --timeout that passes first exits 8 (one job or --all), the jobs still running', async () => {
    const started = (await alice.cli(['generate', 'left running', '--no-wait', '--no-download', '--json'])).json();
    const one = await alice.cli(['jobs', 'wait', started.id, '--timeout', '1ms', '--json']);
    expect(one.code, one.stderr).toBe(8);
    expect(one.json()).toMatchObject({ id: started.id, status: expect.stringMatching(/queued|running/) });
    const all = await alice.cli(['jobs', 'wait', '--all', '--timeout', '1ms', '--json']);
    expect(all.code, all.stderr).toBe(8);
    expect(all.json().map((j: { id: string }) => j.id)).toContain(started.id);
    expect((await alice.cli(['jobs', 'wait', started.id, '--json'])).code).toBe(0);
  });

  it('cancel: sora-1 deletes the job at the service and records canceled; sora-2 says it cannot; other users get 3', async () => {
    const s1 = (await alice.cli(['generate', 'cancel me', '--no-wait', '--json'])).json();
    expect((await bob.cli(['jobs', 'cancel', s1.id])).code).toBe(3);
    const deletes = world.emulator.stats.requests['DELETE /video/generations/jobs/{id}'] ?? 0;
    const r = await alice.cli(['jobs', 'cancel', s1.job_id, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json().status).toBe('canceled');
    expect(world.emulator.stats.requests['DELETE /video/generations/jobs/{id}']).toBe(deletes + 1);
    const [row] = await world.db.query(`SELECT status, failure_reason FROM video_generations WHERE id = $1`, [s1.id]);
    expect(row).toMatchObject({ status: 'canceled', failure_reason: 'canceled by the user' });

    const s2 = (await alice.cli(['generate', 'cannot cancel', '--profile', 's2', '--no-wait', '--json'])).json();
    const refused = await alice.cli(['jobs', 'cancel', s2.id]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('sora-2 has no cancel API');
    const row2 = firstRow(await world.db.query(`SELECT status FROM video_generations WHERE id = $1`, [s2.id]));
    expect(row2.status).not.toBe('canceled');
    expect((await alice.cli(['jobs', 'cancel', done.id])).stdout).toContain('already completed');
    expect((await alice.cli(['jobs', 'cancel', '00000000-0000-4000-8000-000000000000'])).code).toBe(3);
  });

  it('list --status cancelled and --status canceled both find both spellings (the web app writes cancelled)', async () => {
    const carol = await makeUser(world);
    const ids = [];
    for (const status of ['canceled', 'cancelled']) {
      const g = (await carol.cli(['generate', `was ${status}`, '--no-wait', '--json'])).json();
      await world.db.query(`UPDATE video_generations SET status = $2 WHERE id = $1`, [g.id, status]);
      ids.push(g.id);
    }
    for (const spelling of ['cancelled', 'canceled']) {
      const r = await carol.cli(['jobs', 'list', '--status', spelling, '--json']);
      expect(r.code, r.stderr).toBe(0);
      expect(
        r
          .json()
          .map((j: any) => j.id)
          .sort(),
      ).toEqual([...ids].sort());
    }
  });

  it('list --status takes exactly the statuses a row can have: completed finds succeeded too, error is refused and explained', async () => {
    const dan = await makeUser(world);
    const g = (await dan.cli(['generate', 'done elsewhere', '--no-wait', '--json'])).json();
    await world.db.query(`UPDATE video_generations SET status = 'succeeded' WHERE id = $1`, [g.id]);
    expect((await dan.cli(['jobs', 'list', '--status', 'completed', '--json'])).json().map((j: any) => j.id)).toEqual([g.id]);
    const refused = await dan.cli(['jobs', 'list', '--status', 'error']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Allowed choices are queued, running, completed, failed, canceled, cancelled.');
    const help = await dan.cli(['jobs', 'list', '--help']);
    expect(help.stdout.replace(/\s+/g, ' ')).toContain('its job is still recorded as queued or running');
  });
});

describe('a job whose profile was removed', () => {
  it('cancel needs no profile: a create never answered is canceled in octo (exit 0, a note); a submitted job is canceled in octo only; budget show counts neither in flight; jobs wait --all ends', async () => {
    const carol = await makeUser(world);
    expect((await carol.cli(['costs', 'budget', 'set', '--monthly', '100'])).code).toBe(0);
    const submitted = (await carol.cli(['generate', 'submitted then orphaned', '--profile', 's2', '--no-wait', '--json'])).json();
    const hung = (await carol.cli(['generate', 'create never answered', '--profile', 's2', '--no-wait', '--json'])).json();
    // As an endpoint that hung leaves it: sent (submitted_at), no job id recorded.
    await world.db.query(`UPDATE video_generations SET job_id = NULL, video_id = NULL, status = 'queued' WHERE id = $1`, [hung.id]);
    const inFlight = async () => (await carol.cli(['costs', 'budget', 'show', '--json'])).json()[0].in_flight;
    expect(await inFlight()).toBeGreaterThan(0);
    expect((await carol.cli(['profile', 'remove', 's2', '--yes'])).code).toBe(0);

    const a = await carol.cli(['jobs', 'cancel', hung.id, '--json']);
    expect(a.code, a.stderr).toBe(0);
    expect(a.json()).toMatchObject({ id: hung.id, status: 'canceled' });
    expect(a.stderr).toContain('the service may have made the job');
    const b = await carol.cli(['jobs', 'cancel', submitted.id, '--json']);
    expect(b.code, b.stderr).toBe(0);
    expect(b.stderr).toContain(`the remote job ${submitted.job_id} was not canceled`);
    const rows = await world.db.query<{ id: string; status: string; failure_reason: string }>(
      `SELECT id, status, failure_reason FROM video_generations WHERE id = ANY($1::uuid[])`,
      [[hung.id, submitted.id]],
    );
    expect(rows.every((r) => r.status === 'canceled')).toBe(true);
    expect(rows.find((r) => r.id === submitted.id)!.failure_reason).toContain('was not canceled at the service');
    expect(await inFlight()).toBe(0);
    const waited = await carol.cli(['jobs', 'wait', '--all', '--json']);
    expect(waited.code, waited.stderr).toBe(0);
  });

  it('jobs wait --all on a submitted job whose profile is gone marks it failed (not canceled at the service) and ends; the next wait has nothing left', async () => {
    const dave = await makeUser(world);
    const submitted = (await dave.cli(['generate', 'followed without a profile', '--profile', 's2', '--no-wait', '--json'])).json();
    expect((await dave.cli(['profile', 'remove', 's2', '--yes'])).code).toBe(0);
    const first = await dave.cli(['jobs', 'wait', '--all', '--json']);
    expect(first.json()).toEqual([
      expect.objectContaining({ id: submitted.id, status: 'failed', failure_reason: expect.stringContaining('not canceled at the service') }),
    ]);
    const second = await dave.cli(['jobs', 'wait', '--all', '--json']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.json()).toEqual([]);
  });
});
