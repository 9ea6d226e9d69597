import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeUser, startWorld, type World } from './helpers.js';

/**
 * A file run again: while its run is unfinished a plain `generate --file` joins it (as --resume
 * does); once finished it is refused with a hint naming --again, which starts a new run of every
 * line with its own estimate and budget check. A resume estimates only what is left.
 */

let world: World;
beforeAll(async () => {
  world = await startWorld('pg');
}, 60_000);
afterAll(async () => {
  await world?.close();
});

const creates = () => world.emulator.stats.creates['sora-1'] + world.emulator.stats.creates['sora-2'];
const rowsOf = (userId: string) =>
  world.db.query<{ prompt: string; status: string; batch_id: string }>(
    `SELECT prompt, status, batch_id FROM video_generations WHERE user_id = $1 ORDER BY created_at, batch_line`,
    [userId],
  );

describe('generate --file of a file already run', () => {
  it('an unfinished run (--no-wait) is joined by a plain second generate --file: every line completed, created once', async () => {
    const user = await makeUser(world);
    writeFileSync(join(user.out, 'b.txt'), 'one\ntwo\nthree\n');
    const before = creates();
    const first = await user.cli(['generate', '--file', 'b.txt', '--no-wait', '--json']);
    expect(first.code, first.stderr).toBe(0);
    const second = await user.cli(['generate', '--file', 'b.txt']);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain('Joining the unfinished run of batch');
    expect(second.stderr).toContain('3 completed, 0 failed of 3');
    expect(creates() - before).toBe(3);
    expect((await rowsOf(user.userId)).map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
  });

  it('a finished run is refused with a hint naming --again; --again runs every line anew, estimated and budget-checked', async () => {
    const user = await makeUser(world);
    writeFileSync(join(user.out, 'b.txt'), 'alpha\nbeta\n');
    expect((await user.cli(['generate', '--file', 'b.txt', '--json'])).code).toBe(0);
    const before = creates();
    const refused = await user.cli(['generate', '--file', 'b.txt']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('2 of the 2 lines of this file were already run to the end');
    expect(refused.stderr).toContain('octo generate --file b.txt --again');
    expect(creates()).toBe(before);

    // Over the budget: the new run's own estimate is checked, nothing recorded.
    expect((await user.cli(['costs', 'budget', 'set', '--monthly', '0.01'])).code).toBe(0);
    const blocked = await user.cli(['generate', '--file', 'b.txt', '--again']);
    expect(blocked.code, blocked.stderr).toBe(5);
    expect(await rowsOf(user.userId)).toHaveLength(2);
    expect((await user.cli(['costs', 'budget', 'clear'])).code).toBe(0);

    const again = await user.cli(['generate', '--file', 'b.txt', '--again']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/Estimated cost: \$\S+ for 2 lines —/);
    expect(again.stderr).toContain('2 completed, 0 failed of 2');
    expect(creates() - before).toBe(2);
    const rows = await rowsOf(user.userId);
    expect(rows.map((r) => [r.prompt, r.status])).toEqual([
      ['alpha', 'completed'],
      ['beta', 'completed'],
      ['alpha', 'completed'],
      ['beta', 'completed'],
    ]);
    // The second run is the one a plain generate now refuses (and --resume continues).
    const thirdTry = await user.cli(['generate', '--file', 'b.txt']);
    expect(thirdTry.code).toBe(2);
    expect(thirdTry.stderr).toContain('2 of the 2 lines of this file were already run to the end');
    expect((await user.cli(['generate', '--file', 'b.txt', '--again', '--resume'])).code).toBe(2);
  });

  it('--resume estimates the lines left, not the whole file', async () => {
    const user = await makeUser(world);
    const file = join(user.out, 'grow.txt');
    writeFileSync(file, 'first\nsecond\nthird\n');
    const whole = await user.cli(['generate', '--file', 'grow.txt']);
    expect(whole.stderr).toMatch(/Estimated cost: \$\S+ for 3 lines —/);
    writeFileSync(file, 'first\nsecond\nthird\nfourth\n');
    const resumed = await user.cli(['generate', '--file', 'grow.txt', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/Estimated cost: \$\S+ for the 1 line left of 4 —/);
  });
});
