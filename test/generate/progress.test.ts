import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatBytes, transferText } from '../../src/output/progress.js';
import { makeUser, startWorld, type World } from './helpers.js';

describe('what long work shows', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('pg');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('a line held back by the create quota says so, with the time to the next create', async () => {
    const user = await makeUser(world, { active: 's2' });
    writeFileSync(join(user.out, 'three.txt'), ['quota 1', 'quota 2', 'quota 3'].join('\n'));
    const r = await user.cli(['generate', '--file', 'three.txt', '--creates-per-minute', '2', '--concurrency', '3'], {
      env: { ...user.env, OCTO_QUOTA_WINDOW_MS: '2500' },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/line \d: waiting for quota \(s2\), next create in [1-3] s/);
    expect(r.stderr).toContain('3 completed, 0 failed of 3');
  }, 30_000);
});

describe('download progress text', () => {
  it('gives bytes, percent and rate', () => {
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000)).toBe('1.5 MB');
    expect(formatBytes(400_000_000)).toBe('400 MB');
    expect(transferText(12_000_000, 400_000_000, 1500)).toBe('12 MB of 400 MB (3%) · 8.0 MB/s');
    expect(transferText(5000, null, 0)).toBe('5.0 kB');
  });
});
