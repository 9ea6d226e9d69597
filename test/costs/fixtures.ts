import type { Db } from '../../src/db/connection/types.js';

/**
 * Known generations with hand-computed totals (see report.test.ts). Times are chosen around
 * midnights, month ends and the DST changes of Europe/Berlin (2026-03-29) and New York (2026-03-08).
 */
export interface FixtureRow {
  at: string;
  status: string;
  cost: number;
  model: string;
  duration: number;
  variants: number;
  profile: string | null;
  tags: Record<string, string> | null;
}

export const ROWS: FixtureRow[] = [
  // 1: March 1 in UTC and Berlin; Feb 28 19:30 in New York.
  { at: '2026-03-01T00:30:00Z', status: 'completed', cost: 0.4, model: 'sora-2', duration: 4, variants: 1, profile: 'p1', tags: { team: 'a' } },
  // 2
  {
    at: '2026-03-10T12:00:00Z',
    status: 'completed',
    cost: 2.4,
    model: 'sora-2-pro',
    duration: 8,
    variants: 1,
    profile: 'p2',
    tags: { team: 'a', env: 'prod' },
  },
  // 3: March 10 in UTC, March 11 00:30 in Berlin (CET, +1). sora-1 480x480 5 s x 2 = 0.125 (0.05 $/s x 0.25 of 720p x 5 s x 2).
  { at: '2026-03-10T23:30:00Z', status: 'completed', cost: 0.125, model: 'sora-1', duration: 5, variants: 2, profile: 'p1', tags: null },
  // 4, 5: failed and canceled, shown apart.
  { at: '2026-03-12T09:00:00Z', status: 'failed', cost: 0.8, model: 'sora-2', duration: 8, variants: 1, profile: 'p1', tags: null },
  { at: '2026-03-13T09:00:00Z', status: 'canceled', cost: 0.4, model: 'sora-2', duration: 4, variants: 1, profile: 'p2', tags: null },
  // 6: still in flight.
  { at: '2026-03-14T09:00:00Z', status: 'queued', cost: 1.2, model: 'sora-2', duration: 12, variants: 1, profile: 'p1', tags: null },
  // 7: March 31 in UTC; April 1 00:30 in Berlin only because of summer time (+2 since March 29).
  { at: '2026-03-31T22:30:00Z', status: 'completed', cost: 1.2, model: 'sora-2', duration: 12, variants: 1, profile: 'p1', tags: { env: 'prod' } },
  // 8: February in UTC, March 1 00:30 in Berlin (CET).
  { at: '2026-02-28T23:30:00Z', status: 'completed', cost: 0.8, model: 'sora-2', duration: 8, variants: 1, profile: 'p2', tags: null },
];

export async function insertGenerations(db: Db, userId: string, rows: FixtureRow[]): Promise<void> {
  for (const [index, row] of rows.entries()) {
    await db.query(
      `INSERT INTO video_generations (user_id, prompt, sora_model, duration, resolution, variants, generation_mode,
         estimated_cost, profile_name, status, tags, unit_price_usd, pricing_version, created_at, updated_at)
       VALUES ($1, $2, $3, $4, '720x1280', $5, 'text-to-video', $6, $7, $8, $9::jsonb, 0.1, 'test', $10, $10)`,
      [
        userId,
        `fixture ${index + 1}`,
        row.model,
        row.duration,
        row.variants,
        row.cost,
        row.profile,
        row.status,
        row.tags ? JSON.stringify(row.tags) : null,
        row.at,
      ],
    );
  }
}
