import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/auth/session.js';
import {
  cancelUnsubmitted,
  claimNext,
  completeGeneration,
  currentRows,
  finishGeneration,
  markSubmitted,
  recordJobId,
  releaseClaim,
  renewClaims,
} from '../../src/db/tables/generation-state.js';
import type { NewGeneration } from '../../src/db/tables/generations.js';
import { reserveGenerations } from '../../src/generate/reserve.js';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import { pauseCreates, takeCreateTurn } from '../../src/db/tables/pacing.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, DRIVERS, type TestDatabase } from '../support/databases.js';
import { createUserWithSession } from '../support/users.js';

/**
 * The database side of "many processes, one queue, one quota" on every driver: claims taken in one
 * statement by racing connections, compare-and-set state changes, and the shared create window.
 */

const line = (n: number, batch: string): NewGeneration => ({
  prompt: `prompt ${n}`,
  sora_model: 'sora-2',
  duration: 4,
  resolution: '720x1280',
  variants: 1,
  generation_mode: 'text-to-video',
  estimated_cost: 0.4,
  profile_name: 'p1',
  idempotency_key: `${batch}:${n}`,
  batch_line: n,
  request: { prompt: `prompt ${n}` },
  unit_price_usd: 0.1,
  pricing_version: 'test',
});

describe.each(DRIVERS)('claims and pacing on %s', (kind) => {
  let database: TestDatabase;
  const dbs: Db[] = [];
  let session: Session;
  const open = async () => {
    const db = await openDatabase(resolveDatabase({ env: database.env, dataDir: database.env.OCTO_DATA_DIR ?? '/nonexistent' }), { env: database.env });
    dbs.push(db);
    return db;
  };
  const reserve = async (n: number, batch: string) =>
    (
      await reserveGenerations(
        dbs[0]!,
        session,
        Array.from({ length: n }, (_, i) => line(i + 1, batch)),
        'UTC',
      )
    ).map((r) => r.id);

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    await open();
    ({ session } = await createUserWithSession(dbs[0]!));
    for (let i = 0; i < 3; i++) await open();
  }, 60_000);
  afterAll(async () => {
    for (const db of dbs) await db.close();
    await database?.drop();
  });

  it('racing claimers on four connections: each row is claimed by exactly one, and a held row by nobody else', async () => {
    const ids = await reserve(12, `race-${kind}`);
    const claims = await Promise.all(
      dbs.map(async (db, w) => {
        const mine: string[] = [];
        for (;;) {
          const row = await claimNext(db, session, { ids, owner: `worker-${w}`, leaseMs: 60_000 });
          if (!row) return mine;
          expect(row.claimed_by).toBe(`worker-${w}`);
          mine.push(row.id);
        }
      }),
    );
    const all = claims.flat();
    expect(all.sort()).toEqual([...ids].sort());
    expect(new Set(all).size).toBe(12);
    const state = await currentRows(dbs[0]!, session, ids);
    expect(state.every((r) => r.held)).toBe(true);
  });

  it('an expired lease is taken over; a live one is renewed and kept; a released row is free at once', async () => {
    const [a, b] = await reserve(2, `lease-${kind}`);
    const ids = [a!, b!];
    expect((await claimNext(dbs[0]!, session, { ids, owner: 'dead', leaseMs: 300 }))?.id).toBe(a);
    // The live owner's lease is long enough that a busy machine's slow renewal still finds it
    // held (a 300 ms one here expired now and then between two renewals 120 ms apart).
    expect((await claimNext(dbs[1]!, session, { ids, owner: 'alive', leaseMs: 3_000 }))?.id).toBe(b);
    expect(await claimNext(dbs[2]!, session, { ids, owner: 'other', leaseMs: 60_000 })).toBeUndefined();
    for (let i = 0; i < 4; i++) {
      await new Promise((r) => setTimeout(r, 120));
      expect(await renewClaims(dbs[1]!, session, 'alive', ids, 3_000)).toEqual([b]);
    }
    // 480 ms or more later: "dead" never renewed (its 300 ms lease is over), "alive" did.
    const taken = await claimNext(dbs[2]!, session, { ids, owner: 'other', leaseMs: 60_000 });
    expect(taken?.id).toBe(a);
    expect(await claimNext(dbs[3]!, session, { ids, owner: 'late', leaseMs: 60_000 })).toBeUndefined();
    // The dead owner cannot start a create on the row it lost.
    expect(await markSubmitted(dbs[0]!, session, a!, 'dead')).toBe(false);
    await releaseClaim(dbs[1]!, session, 'alive', b!);
    expect((await claimNext(dbs[3]!, session, { ids, owner: 'late', leaseMs: 60_000 }))?.id).toBe(b);
  });

  it('compare-and-set: a cancel of an unsubmitted row beats the submit; a finished row is never overwritten', async () => {
    const [c, d] = await reserve(2, `cas-${kind}`);
    await claimNext(dbs[0]!, session, { ids: [c!], owner: 'w', leaseMs: 60_000 });
    expect(await cancelUnsubmitted(dbs[1]!, session, c!, 'canceled before submission')).toBe(true);
    expect(await markSubmitted(dbs[0]!, session, c!, 'w')).toBe(false);
    expect(await recordJobId(dbs[0]!, session, c!, 'video_late', 'queued')).toBe(false);
    expect(await completeGeneration(dbs[0]!, session, c!, [])).toBe(false);
    expect(await finishGeneration(dbs[0]!, session, c!, 'failed', 'x')).toBe(false);
    const [canceled] = await currentRows(dbs[0]!, session, [c!]);
    expect(canceled).toMatchObject({ status: 'canceled', job_id: null, submitted_at: null });

    await claimNext(dbs[0]!, session, { ids: [d!], owner: 'w', leaseMs: 60_000 });
    expect(await markSubmitted(dbs[0]!, session, d!, 'w')).toBe(true);
    // Once submitted, a cancel of "an unsubmitted row" no longer applies.
    expect(await cancelUnsubmitted(dbs[1]!, session, d!, 'too late')).toBe(false);
    expect(await recordJobId(dbs[0]!, session, d!, `video_${kind}_d`, 'queued')).toBe(true);
    // A second answer for the same row (another process's create) is not recorded over it.
    expect(await recordJobId(dbs[1]!, session, d!, `video_${kind}_other`, 'queued')).toBe(false);
    expect(await completeGeneration(dbs[0]!, session, d!, [])).toBe(true);
    expect(await completeGeneration(dbs[1]!, session, d!, [])).toBe(false);
    expect(await finishGeneration(dbs[1]!, session, d!, 'failed', 'late failure')).toBe(false);
    const [done] = await currentRows(dbs[0]!, session, [d!]);
    expect(done).toMatchObject({ status: 'completed', job_id: `video_${kind}_d`, failure_reason: null });
  });

  it('one create window per resource: racing processes get exactly `pace` creates; the strictest pace wins; a 429 pauses everyone', async () => {
    const resource = `example-${kind}.openai.azure.com/sora-2`;
    const turns = await Promise.all(
      Array.from({ length: 12 }, (_, i) => takeCreateTurn(dbs[i % dbs.length]!, { resource, owner: `p${i % 3}`, pace: 5, windowMs: 60_000 })),
    );
    expect(turns.filter((t) => t.granted)).toHaveLength(5);
    const denied = turns.find((t) => !t.granted)!;
    expect(denied.waitMs).toBeGreaterThan(55_000);
    expect(denied.createsPerMinute).toBe(5);

    const strict = `strict-${kind}/sora-2`;
    expect((await takeCreateTurn(dbs[0]!, { resource: strict, owner: 'slow', pace: 1, windowMs: 60_000 })).granted).toBe(true);
    const fast = await takeCreateTurn(dbs[1]!, { resource: strict, owner: 'fast', pace: 50, windowMs: 60_000 });
    expect(fast).toMatchObject({ granted: false, createsPerMinute: 1 });

    const paused = `paused-${kind}/sora-2`;
    expect((await takeCreateTurn(dbs[0]!, { resource: paused, owner: 'a', pace: null })).granted).toBe(true);
    await pauseCreates(dbs[0]!, paused, 5_000);
    const other = await takeCreateTurn(dbs[2]!, { resource: paused, owner: 'b', pace: null });
    expect(other.granted).toBe(false);
    expect(other.waitMs).toBeGreaterThan(4_000);
    expect(other.waitMs).toBeLessThanOrEqual(5_000);
  });
});
