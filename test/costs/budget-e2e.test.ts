import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { makeUser, startWorld, type World } from '../generate/helpers.js';
import { firstRow } from '../support/defined.js';

/**
 * The proof, on the built binary: 20 `octo generate` processes start at once against a
 * budget that fits exactly 5 sora-2 4-second videos ($0.40 each, $2.00 budget), on Postgres.
 * Exactly 5 are recorded and reach Azure (the emulator); 15 exit 5 before any request.
 */

const root = join(import.meta.dirname, '..', '..');
let world: World;

beforeAll(async () => {
  world = await startWorld('pg');
});
afterAll(async () => {
  await world?.close();
});

function octo(env: Record<string, string>, cwd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [join(root, 'bin', 'octo.js'), ...args], { cwd, env });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c) => (stdout += c));
  child.stderr.on('data', (c) => (stderr += c));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

it('20 concurrent generate processes against a budget that fits 5 leave exactly 5 generations', async () => {
  const user = await makeUser(world, { active: 's2' });
  expect((await user.cli(['costs', 'budget', 'set', '--monthly', '2'])).code).toBe(0);
  const createsBefore = world.emulator.stats.creates['sora-2'];

  const results = await Promise.all(
    Array.from({ length: 20 }, (_, i) => octo(user.env, user.out, ['generate', `budget race ${i}`, '--seconds', '4', '--no-wait', '--json'])),
  );
  const codes = results.map((r) => r.code);
  const admitted = codes.filter((c) => c === 0 || c === 8);
  const refused = results.filter((r) => r.code === 5);
  expect({ admitted: admitted.length, refused: refused.length }).toEqual({ admitted: 5, refused: 15 });
  for (const r of refused) expect(JSON.parse(r.stdout).error.code).toBe('budget_exceeded');

  const { n, total } = firstRow(
    await world.db.query<{ n: number; total: number }>('SELECT count(*) AS n, sum(estimated_cost) AS total FROM video_generations WHERE user_id = $1', [
      user.userId,
    ]),
  );
  expect([n, total]).toEqual([5, 2]);
  expect(world.emulator.stats.creates['sora-2'] - createsBefore).toBe(5);

  const shown = (await user.cli(['costs', 'budget', 'show', '--json'])).json();
  expect(shown[0]).toMatchObject({ monthly_usd: 2, remaining: 0 });
});
