import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoraClient } from '../../src/sora/client.js';
import { API_KEY, makeUser, startWorld, type World } from '../generate/helpers.js';

/**
 * Jobs the service has that octo recorded nowhere (a duplicate create, a create answered after
 * its line was canceled, one whose answer never came): `jobs reconcile` records each as what it
 * is, so `costs` counts every job that was paid for and `jobs wait` fetches its videos.
 */

let world: World;
beforeAll(async () => {
  world = await startWorld('pg', { jobMs: 200 });
}, 60_000);
afterAll(async () => {
  await world?.close();
});

/** A create that reached the service without octo recording it (as a dead process's create does). */
const createBehindOctosBack = (prompt: string) =>
  createSoraClient({ endpoint: world.emulator.url, apiKey: API_KEY, deployment: 'sora-2', soraVersion: 'sora-2' }).create({
    prompt,
    size: '720x1280',
    seconds: 4,
  });

describe('octo jobs reconcile', () => {
  it('records an unrecorded duplicate as an extra, paid job of its line (costed, fetched by jobs wait), a never-answered create on its line, and leaves a job no line asked for', async () => {
    const user = await makeUser(world, { active: 's2' });
    const line = (await user.cli(['generate', 'reconciled line', '--seconds', '4', '--json', '--no-download'])).json();
    expect(line.status).toBe('completed');
    const hung = (await user.cli(['generate', 'answer never recorded', '--seconds', '4', '--no-wait', '--json'])).json();
    // As a create whose answer never came leaves it: sent, no job id; the service has the job.
    await world.db.query(`UPDATE video_generations SET job_id = NULL, video_id = NULL, status = 'queued' WHERE id = $1`, [hung.id]);
    const duplicate = await createBehindOctosBack('reconciled line');
    const foreign = await createBehindOctosBack('made by another tool');
    const costBefore = (await user.cli(['costs', '--by', 'status', '--json'])).json();

    const r = await user.cli(['jobs', 'reconcile', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const byJob = new Map(r.json().map((x: { job_id: string }) => [x.job_id, x]));
    expect(byJob.get(duplicate.id)).toMatchObject({ recorded_as: 'extra', line_id: line.id });
    expect(byJob.get(hung.job_id)).toMatchObject({ recorded_as: 'found', line_id: hung.id, generation_id: hung.id });
    expect(byJob.get(foreign.id)).toMatchObject({ recorded_as: 'unmatched', line_id: null });

    const extraId = (byJob.get(duplicate.id) as { generation_id: string }).generation_id;
    const [extra] = await world.db.query<{ prompt: string; estimated_cost: string; request: { extra_of: string } }>(
      `SELECT prompt, estimated_cost, request FROM video_generations WHERE id = $1`,
      [extraId],
    );
    expect(extra).toMatchObject({ prompt: 'reconciled line', request: expect.objectContaining({ extra_of: line.id }) });
    expect(Number(extra!.estimated_cost)).toBe(line.estimated_cost);
    const costAfter = (await user.cli(['costs', '--by', 'status', '--json'])).json();
    expect(JSON.stringify(costAfter)).not.toBe(JSON.stringify(costBefore));

    // Run again: nothing new (each job is recorded once); jobs wait fetches both to the end.
    const again = (await user.cli(['jobs', 'reconcile', '--json'])).json();
    expect(
      again.filter((x: { recorded_as: string }) => x.recorded_as !== 'unmatched'),
      JSON.stringify(again),
    ).toEqual([]);
    const waited = await user.cli(['jobs', 'wait', '--all', '--json']);
    expect(waited.code, waited.stderr).toBe(0);
    const rows = await world.db.query<{ job_id: string; status: string }>(`SELECT job_id, status FROM video_generations WHERE user_id = $1`, [user.userId]);
    expect(rows).toHaveLength(3);
    expect(rows.every((x) => x.status === 'completed')).toBe(true);
    expect(new Set(rows.map((x) => x.job_id))).toEqual(new Set([line.job_id, hung.job_id, duplicate.id]));
  });

  it('a job made for a line canceled while its create was unanswered is recorded as an extra job of it', async () => {
    const user = await makeUser(world, { active: 's2' });
    const hung = (await user.cli(['generate', 'canceled while in flight', '--seconds', '4', '--no-wait', '--json'])).json();
    await world.db.query(`UPDATE video_generations SET job_id = NULL, video_id = NULL, status = 'queued' WHERE id = $1`, [hung.id]);
    const cancel = await user.cli(['jobs', 'cancel', hung.id]);
    expect(cancel.code, cancel.stderr).toBe(0);
    const r = (await user.cli(['jobs', 'reconcile', '--json'])).json();
    // The emulator's list holds every test user's jobs (as a shared resource's does): this line's is the one recorded.
    expect(r.filter((x: { recorded_as: string }) => x.recorded_as !== 'unmatched')).toEqual([
      expect.objectContaining({ job_id: hung.job_id, recorded_as: 'extra', line_id: hung.id }),
    ]);
    const [row] = await world.db.query<{ status: string }>(`SELECT status FROM video_generations WHERE id = $1`, [hung.id]);
    expect(row!.status).toBe('canceled');
  });
});
