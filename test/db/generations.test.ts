import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuthError, BudgetError } from '../../src/core/errors.js';
import type { NewGeneration } from '../../src/db/tables/generations.js';
import { reserveGenerations } from '../../src/generate/reserve.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type TestDatabase } from '../support/databases.js';
import { createUserWithSession } from '../support/users.js';
import { firstRow } from '../support/defined.js';

const line = (n: number, cost: number): NewGeneration => ({
  prompt: `prompt ${n}`,
  sora_model: 'sora-2',
  duration: 4,
  resolution: '720x1280',
  variants: 1,
  generation_mode: 'text-to-video',
  estimated_cost: cost,
  profile_name: 'p1',
  idempotency_key: `batch-x:${n}`,
  batch_line: n,
  unit_price_usd: 0.1,
  pricing_version: 'test',
});

describe.each(['pg', 'neon'] as const)('reserveGenerations on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await openDatabase(resolveDatabase({ env: database.env, dataDir: '/nonexistent' }), { env: database.env });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  it('records rows as queued, skips keys already recorded, and refuses what passes the budget', async () => {
    const { session } = await createUserWithSession(db);
    const first = await reserveGenerations(db, session, [line(1, 0.4), line(2, 0.4)], 'UTC');
    expect(first.map((r) => r.batch_line)).toEqual([1, 2]);
    const again = await reserveGenerations(db, session, [line(1, 0.4), line(2, 0.4), line(3, 0.4)], 'UTC');
    expect(again.map((r) => r.batch_line)).toEqual([3]);

    await db.query('INSERT INTO octo_budgets (user_id, monthly_usd) VALUES ($1, 1.5)', [session.userId]);
    const refused = await reserveGenerations(db, session, [line(4, 0.2), line(5, 0.2)], 'UTC').catch((e) => e);
    expect(refused).toBeInstanceOf(BudgetError);
    expect(refused.message).toContain('$1.20 spent or in flight this month + $0.40 estimated = $1.60 > $1.50');
    const { n } = firstRow(await db.query<{ n: number }>('SELECT count(*) AS n FROM video_generations WHERE user_id = $1', [session.userId]));
    expect(n).toBe(3);
    expect(await reserveGenerations(db, session, [line(4, 0.3)], 'UTC')).toHaveLength(1);
  });

  it("counts against the budget what budget show counts: the web app's succeeded and in-flight statuses too", async () => {
    const { session } = await createUserWithSession(db);
    await db.query('INSERT INTO octo_budgets (user_id, monthly_usd) VALUES ($1, 1)', [session.userId]);
    const webRow = (cost: number, status: string | null) =>
      db.query(
        `INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, generation_mode, estimated_cost, status)
         VALUES ($1, 'web', 'sora-1', 5, '480x480', 'text-to-video', $2, $3)`,
        [session.userId, cost, status],
      );
    for (const status of ['succeeded', 'processing', null]) await webRow(0.3, status);
    await webRow(5, 'cancelled');
    const refused = await reserveGenerations(db, session, [line(1, 0.2)], 'UTC').catch((e) => e);
    expect(refused).toBeInstanceOf(BudgetError);
    expect(refused.message).toContain('$0.90 spent or in flight this month + $0.20 estimated = $1.10 > $1.00');
  });

  it('refuses a deleted session and writes nothing', async () => {
    const { session } = await createUserWithSession(db);
    await db.query('DELETE FROM sessions WHERE id = $1', [session.sessionId]);
    await expect(reserveGenerations(db, session, [line(1, 0.1)], 'UTC')).rejects.toBeInstanceOf(AuthError);
    const { n } = firstRow(await db.query<{ n: number }>('SELECT count(*) AS n FROM video_generations WHERE user_id = $1', [session.userId]));
    expect(n).toBe(0);
  });
});
