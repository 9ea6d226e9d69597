import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type World } from './helpers.js';

describe.each(['embedded', 'neon'] as const)('generate on the %s driver', (kind) => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld(kind);
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a single sora-2 generation and a two-line batch are recorded, downloaded and listed', async () => {
    const user = await makeUser(world, { active: 's2' });
    const one = await user.cli(['generate', `a lighthouse on ${kind}`, '--json']);
    expect(one.code, one.stderr).toBe(0);
    expect(one.json()).toMatchObject({ status: 'completed', model: 'sora-2', estimated_cost: 0.4 });
    expect(existsSync(one.json().files[0])).toBe(true);
    const batch = await user.cli(['generate', '--file', '-', '--json', '--creates-per-minute', '0'], {
      stdin: 'one\n{"prompt":"two","profile":"s1","size":"480x480"}\n',
    });
    expect(batch.code, batch.stderr).toBe(0);
    expect(batch.json().map((r: any) => r.status)).toEqual(['completed', 'completed']);
    const videos = await user.cli(['videos', 'list', '--json']);
    expect(videos.json()).toHaveLength(3);
    const jobs = await user.cli(['jobs', 'list', '--json']);
    expect(jobs.json().map((j: any) => j.status)).toEqual(['completed', 'completed', 'completed']);
  });
});
