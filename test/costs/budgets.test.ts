import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BudgetError } from '../../src/core/errors.js';
import type { NewGeneration } from '../../src/db/tables/generations.js';
import { reserveGenerations } from '../../src/generate/reserve.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type DriverKind, type TestDatabase } from '../support/databases.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { createUserWithSession } from '../support/users.js';
import { firstRow } from '../support/defined.js';

const generation = (n: number, cost: number, profile = 'p1'): NewGeneration => ({
  prompt: `budget test ${n}`,
  sora_model: 'sora-2',
  duration: 4,
  resolution: '720x1280',
  variants: 1,
  generation_mode: 'text-to-video',
  estimated_cost: cost,
  profile_name: profile,
  unit_price_usd: 0.1,
  pricing_version: 'test',
});

const open = (database: TestDatabase) =>
  openDatabase(resolveDatabase({ env: database.env, dataDir: database.env.OCTO_DATA_DIR ?? '/nonexistent' }), { env: database.env });

describe.each(['pg', 'neon', 'embedded'] as DriverKind[])('octo costs budget on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await open(database);
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('sets, shows (month to date: completed, in flight, remaining) and clears budgets', async () => {
    const user = await createUserWithSession(db);
    const env = cliEnv({ ...database.env, OCTO_TOKEN: user.token });
    await db.query(
      `INSERT INTO profiles_config (user_id, name, endpoint, api_key, deployment, sora_version) VALUES ($1, 'p1', 'http://x', 'k', 'sora-2', 'sora-2')`,
      [user.session.userId],
    );
    const insert = (status: string, cost: number, profile: string, at = 'NOW()') =>
      db.query(
        `INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, variants, generation_mode, estimated_cost, profile_name, status, created_at)
         VALUES ($1, 'x', 'sora-2', 4, '720x1280', 1, 'text-to-video', $2, $3, $4, ${at})`,
        [user.session.userId, cost, profile, status],
      );
    await insert('completed', 2.5, 'p1');
    await insert('running', 1.25, 'p1');
    await insert('queued', 0.4, 'p2');
    await insert('failed', 3, 'p1');
    await insert('completed', 50, 'p1', `NOW() - interval '40 days'`); // an earlier month

    expect((await runCli(['costs', 'budget', 'show', '--json'], { env })).json()).toEqual([]);
    const set = await runCli(['costs', 'budget', 'set', '--monthly', '10', '--json'], { env });
    expect(set.code).toBe(0);
    expect(set.json()).toMatchObject({ profile_name: null, monthly_usd: 10 });
    expect((await runCli(['costs', 'budget', 'set', '--monthly', '5.5', '--profile', 'p1'], { env })).stdout).toBe(
      'Monthly budget for profile p1: $5.50 (estimates).\n',
    );
    // Setting again replaces.
    expect((await runCli(['costs', 'budget', 'set', '--monthly', '12', '--json'], { env })).code).toBe(0);

    const before = db.roundTrips;
    const shown = await runCli(['costs', 'budget', 'show', '--json', '--tz', 'UTC'], { env, overrides: { db: async () => db } });
    expect(db.roundTrips - before).toBe(1);
    expect(shown.json()).toEqual([
      expect.objectContaining({ profile_name: null, monthly_usd: 12, completed: 2.5, in_flight: 1.65, remaining: 7.85, time_zone: 'UTC' }),
      expect.objectContaining({ profile_name: 'p1', monthly_usd: 5.5, completed: 2.5, in_flight: 1.25, remaining: 1.75 }),
    ]);
    const table = await runCli(['costs', 'budget', 'show', '--tz', 'UTC'], { env, tty: true });
    expect(table.stdout).toMatch(/^\(all spend\)\s+\$12\.00\s+\$2\.50\s+\$1\.65\s+\$7\.85$/m);

    // What reserveGenerations refuses matches what show says remains (p1: 1.75 left).
    await expect(reserveGenerations(db, user.session, [generation(1, 1.8)], 'UTC')).rejects.toBeInstanceOf(BudgetError);
    expect(await reserveGenerations(db, user.session, [generation(2, 1.75)], 'UTC')).toHaveLength(1);

    expect((await runCli(['costs', 'budget', 'set', '--monthly', '5', '--profile', 'nope'], { env })).code).toBe(3);
    expect((await runCli(['costs', 'budget', 'set', '--monthly', 'ten'], { env })).code).toBe(2);
    expect((await runCli(['costs', 'budget', 'set', '--monthly', '-3'], { env })).code).toBe(2);
    expect((await runCli(['costs', 'budget', 'set'], { env })).code).toBe(2);
    // The amount as the argument, as people type it first (issue 23, item 7).
    const positional = await runCli(['costs', 'budget', 'set', '7', '--json'], { env });
    expect([positional.code, positional.json().monthly_usd]).toEqual([0, 7]);
    const bad = await runCli(['costs', 'budget', 'set', '5x'], { env });
    expect([bad.code, bad.stderr]).toEqual([2, expect.stringContaining('the budget must be an amount in USD')]);
    const both = await runCli(['costs', 'budget', 'set', '5', '--monthly', '6'], { env });
    expect([both.code, both.stderr]).toEqual([2, expect.stringContaining('two amounts given')]);
    expect((await runCli(['costs', 'budget', 'set', '12', '--monthly', '12', '--json'], { env })).json().monthly_usd).toBe(12);

    expect((await runCli(['costs', 'budget', 'clear', '--profile', 'p1'], { env })).code).toBe(0);
    expect((await runCli(['costs', 'budget', 'clear', '--profile', 'p1', '--json'], { env })).code).toBe(3);
    const left = (await runCli(['costs', 'budget', 'show', '--json'], { env })).json();
    expect(left.map((b: { profile_name: string | null }) => b.profile_name)).toEqual([null]);
    expect((await runCli(['costs', 'budget', 'clear'], { env })).code).toBe(0);
    expect((await runCli(['costs', 'budget', 'show'], { env, tty: true })).stdout).toContain('No budget set.');
  });

  // 20 database sessions (each its own connection pool, as 20 processes would have) race to
  // reserve $1 each against a $5 budget: exactly 5 may win.
  it.skipIf(kind === 'embedded')('cannot be overshot by 20 concurrent reservations', async () => {
    const user = await createUserWithSession(db);
    await db.query('INSERT INTO octo_budgets (user_id, monthly_usd) VALUES ($1, 5)', [user.session.userId]);
    const connections = await Promise.all(Array.from({ length: 20 }, () => open(database)));
    try {
      // Every connection has done a round trip before the race, so they start together.
      await Promise.all(connections.map((c) => c.query('SELECT 1')));
      const outcomes = await Promise.allSettled(connections.map((c, i) => reserveGenerations(c, user.session, [generation(i, 1)], 'UTC')));
      const won = outcomes.filter((o) => o.status === 'fulfilled');
      const lost = outcomes.filter((o) => o.status === 'rejected');
      expect(won).toHaveLength(5);
      expect(lost.every((o) => (o as PromiseRejectedResult).reason instanceof BudgetError)).toBe(true);
      const { n, total } = firstRow(
        await db.query<{ n: number; total: number }>('SELECT count(*) AS n, sum(estimated_cost) AS total FROM video_generations WHERE user_id = $1', [
          user.session.userId,
        ]),
      );
      expect([n, total]).toEqual([5, 5]);
    } finally {
      await Promise.all(connections.map((c) => c.close()));
    }
  });
});
