import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type World } from './helpers.js';

/** A profile whose endpoint refuses connections: the create provably never reached the service. */
describe('a create that never reached the service', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('pg');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('fails within seconds with the retries shown, leaves the line unsubmitted, and jobs cancel ends it', async () => {
    const user = await makeUser(world, { endpoint: 'http://127.0.0.1:9', active: 's2' });
    const started = Date.now();
    const r = await user.cli(['generate', 'a paper boat']);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not reach the service .*the connection was refused.*; retry 1 of 2 in 1 s/);
    expect(r.stderr).toMatch(/retry 2 of 2 in 2 s/);
    expect(r.stderr).toMatch(/the create never reached the service .*nothing was created or billed/);
    expect(r.stderr).toMatch(/octo jobs cancel [0-9a-f]{8}/);
    // Said once, not once by the progress and again as the error.
    expect(r.stderr.match(/never reached the service/g)).toHaveLength(1);
    const [job] = (await user.cli(['jobs', 'list', '--json'])).json();
    expect(job).toMatchObject({ status: 'queued', job_id: null });
    const [row] = await world.db.query(`SELECT submitted_at FROM video_generations WHERE id = $1`, [job.id]);
    expect(row?.submitted_at).toBeNull();

    // Removing the profile warns about the unfinished job (and needs --yes without a terminal).
    const refused = await user.cli(['profile', 'remove', 's2']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('profile s2 has 1 unfinished job(s)');

    const cancel = await user.cli(['jobs', 'cancel', job.id.slice(0, 8), '--json']);
    expect(cancel.code, cancel.stderr).toBe(0);
    expect((await user.cli(['jobs', 'show', job.id, '--json'])).json().status).toBe('canceled');
    expect((await user.cli(['jobs', 'wait', '--all'])).code).toBe(0);
  }, 30_000);
});
