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

describe('lines paced by the create quota', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld('pg');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('are created in file order, and the totals count them as waiting for quota, not running', async () => {
    const user = await makeUser(world, { active: 's2' });
    const lines = ['paced a', 'paced b', 'paced c', 'paced d', 'paced e'];
    writeFileSync(join(user.out, 'five.txt'), lines.join('\n'));
    const r = await user.cli(['generate', '--file', 'five.txt', '--creates-per-minute', '1', '--concurrency', '5', '--no-wait'], {
      env: { ...user.env, OCTO_QUOTA_WINDOW_MS: '700' },
      tty: true,
    });
    expect(r.code, r.stderr).toBe(0);
    const submitted = [...r.stderr.matchAll(/line (\d): submitted/g)].map((m) => Number(m[1]));
    expect(submitted).toEqual([1, 2, 3, 4, 5]);
    const rows = await world.db.query<{ batch_line: number }>(`SELECT batch_line FROM video_generations WHERE user_id = $1 ORDER BY submitted_at`, [
      user.userId,
    ]);
    expect(rows.map((x) => x.batch_line)).toEqual([1, 2, 3, 4, 5]);
    expect(r.stderr).toMatch(/\d done · \d failed · [0-1] running · [1-4] waiting for quota · \d waiting/);
    // A line behind an earlier one names it rather than a made-up time (only the front line's is known).
    expect(r.stderr).toMatch(/line [3-5] {2}waiting for quota, after line [2-4] /);
    // Every time said comes from the database: with a 700 ms window, never more than 1 s.
    expect(r.stderr).not.toMatch(/next create in [2-9] s/);
  }, 60_000);
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
