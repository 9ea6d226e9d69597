import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, resolveDatabase } from '../../src/db/connection/open.js';
import type { Db } from '../../src/db/connection/types.js';
import { createTestDatabase, type DriverKind, type TestDatabase } from '../support/databases.js';
import { cliEnv, runCli } from '../support/run-cli.js';
import { createUserWithSession } from '../support/users.js';
import { insertGenerations, ROWS } from './fixtures.js';
import { defined } from '../support/defined.js';

const NOW = new Date('2026-03-31T12:00:00Z');
const MARCH = ['--since', '2026-03-01', '--until', '2026-03-31'];

describe.each(['pg', 'neon', 'embedded'] as DriverKind[])('octo costs on %s', (kind) => {
  let database: TestDatabase;
  let db: Db;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    db = await openDatabase(resolveDatabase({ env: database.env, dataDir: database.env.OCTO_DATA_DIR ?? '/nonexistent' }), {
      env: database.env,
    });
    const user = await createUserWithSession(db);
    const other = await createUserWithSession(db);
    await insertGenerations(db, user.session.userId, ROWS);
    // Someone else's spend never shows.
    await insertGenerations(db, other.session.userId, [{ ...defined(ROWS[1], 'a second fixture row'), cost: 99 }]);
    env = cliEnv({ ...database.env, OCTO_TOKEN: user.token });
  });
  afterAll(async () => {
    await db?.close();
    await database?.drop();
  });

  const costs = (args: string[]) => runCli(['costs', ...args], { env, overrides: { now: () => NOW } });

  it('sums March in UTC by model, with failed/canceled and in-flight apart (one round trip)', async () => {
    const before = db.roundTrips;
    const neonBefore = database.neonRequests?.();
    const result = await runCli(['costs', '--json', '--tz', 'UTC', ...MARCH], { env, overrides: { now: () => NOW, db: async () => db } });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(db.roundTrips - before).toBe(1);
    if (neonBefore !== undefined) expect(database.neonRequests!() - neonBefore).toBe(1);
    expect(result.json()).toEqual({
      currency: 'USD',
      since: '2026-03-01',
      until: '2026-03-31',
      time_zone: 'UTC',
      from: '2026-03-01T00:00:00+00:00',
      to: '2026-04-01T00:00:00+00:00',
      by: 'model',
      total_cost: 4.125,
      count: 4,
      seconds: 34,
      groups: [
        { key: 'sora-1', count: 1, seconds: 10, cost: 0.125 },
        { key: 'sora-2', count: 2, seconds: 16, cost: 1.6 },
        { key: 'sora-2-pro', count: 1, seconds: 8, cost: 2.4 },
      ],
      failed: { count: 2, estimated_cost: 1.2 },
      in_flight: { count: 1, estimated_cost: 1.2 },
    });
  });

  it('defaults to this month to date', async () => {
    const report = (await costs(['--json', '--tz', 'UTC'])).json();
    expect([report.since, report.until, report.total_cost, report.count]).toEqual(['2026-03-01', '2026-03-31', 4.125, 4]);
  });

  it('follows Europe/Berlin: month ends and the summer-time change move rows across days and months', async () => {
    const month = (await costs(['--json', '--tz', 'Europe/Berlin', ...MARCH])).json();
    expect([month.from, month.to]).toEqual(['2026-03-01T00:00:00+01:00', '2026-04-01T00:00:00+02:00']);
    expect([month.total_cost, month.count, month.seconds]).toEqual([3.725, 4, 30]);

    const days = (await costs(['--json', '--tz', 'Europe/Berlin', '--by', 'day', ...MARCH])).json();
    expect(days.groups).toEqual([
      { key: '2026-03-01', count: 2, seconds: 12, cost: 1.2 },
      { key: '2026-03-10', count: 1, seconds: 8, cost: 2.4 },
      { key: '2026-03-11', count: 1, seconds: 10, cost: 0.125 },
    ]);
    const utcDays = (await costs(['--json', '--tz', 'UTC', '--by', 'day', ...MARCH])).json();
    expect(utcDays.groups).toEqual([
      { key: '2026-03-01', count: 1, seconds: 4, cost: 0.4 },
      { key: '2026-03-10', count: 2, seconds: 18, cost: 2.525 },
      { key: '2026-03-31', count: 1, seconds: 12, cost: 1.2 },
    ]);

    const months = (await costs(['--json', '--tz', 'Europe/Berlin', '--by', 'month', '--since', '2026-02-01', '--until', '2026-04-30'])).json();
    expect(months.groups).toEqual([
      { key: '2026-03', count: 4, seconds: 30, cost: 3.725 },
      { key: '2026-04', count: 1, seconds: 12, cost: 1.2 },
    ]);
    const utcMonths = (await costs(['--json', '--tz', 'UTC', '--by', 'month', '--since', '2026-02-01', '--until', '2026-04-30'])).json();
    expect(utcMonths.groups).toEqual([
      { key: '2026-02', count: 1, seconds: 8, cost: 0.8 },
      { key: '2026-03', count: 4, seconds: 34, cost: 4.125 },
    ]);
  });

  it('follows America/New_York around midnight; an empty range is [] with exit 0', async () => {
    const feb28 = (await costs(['--json', '--tz', 'America/New_York', '--since', '2026-02-28', '--until', '2026-02-28'])).json();
    expect([feb28.count, feb28.total_cost, feb28.from, feb28.to]).toEqual([2, 1.2, '2026-02-28T00:00:00-05:00', '2026-03-01T00:00:00-05:00']);

    const empty = await costs(['--json', '--tz', 'America/New_York', '--since', '2026-03-01', '--until', '2026-03-01']);
    expect(empty.code).toBe(0);
    expect(empty.json()).toMatchObject({ groups: [], total_cost: 0, count: 0, seconds: 0, failed: { count: 0, estimated_cost: 0 } });
    const csv = await costs(['--csv', '--since', '2025-01-01', '--until', '2025-01-31']);
    expect([csv.code, csv.stdout]).toEqual([0, 'key,count,seconds,cost\n']);
  });

  it('groups by week (Monday), profile, status and tag', async () => {
    const groups = async (by: string) => (await costs(['--json', '--tz', 'UTC', '--by', by, ...MARCH])).json().groups;
    expect(await groups('week')).toEqual([
      { key: '2026-02-23', count: 1, seconds: 4, cost: 0.4 },
      { key: '2026-03-09', count: 2, seconds: 18, cost: 2.525 },
      { key: '2026-03-30', count: 1, seconds: 12, cost: 1.2 },
    ]);
    expect(await groups('profile')).toEqual([
      { key: 'p1', count: 3, seconds: 26, cost: 1.725 },
      { key: 'p2', count: 1, seconds: 8, cost: 2.4 },
    ]);
    expect(await groups('status')).toEqual([
      { key: 'canceled', count: 1, seconds: 4, cost: 0.4 },
      { key: 'completed', count: 4, seconds: 34, cost: 4.125 },
      { key: 'failed', count: 1, seconds: 8, cost: 0.8 },
      { key: 'queued', count: 1, seconds: 12, cost: 1.2 },
    ]);
    // A generation with two tags counts in both groups; the total counts it once.
    const tags = (await costs(['--json', '--tz', 'UTC', '--by', 'tag', ...MARCH])).json();
    expect(tags.groups).toEqual([
      { key: '(untagged)', count: 1, seconds: 10, cost: 0.125 },
      { key: 'env=prod', count: 2, seconds: 20, cost: 3.6 },
      { key: 'team=a', count: 2, seconds: 12, cost: 2.8 },
    ]);
    expect(tags.total_cost).toBe(4.125);
  });

  it('accepts relative ranges: 7d is today and the 6 days before', async () => {
    const week = (await costs(['--json', '--tz', 'UTC', '--since', '7d'])).json();
    expect([week.since, week.until, week.count, week.total_cost]).toEqual(['2026-03-25', '2026-03-31', 1, 1.2]);
    const twoWeeks = (await costs(['--json', '--tz', 'UTC', '--since', '2w'])).json();
    expect([twoWeeks.since, twoWeeks.failed.count, twoWeeks.in_flight.count]).toEqual(['2026-03-18', 0, 0]);
  });

  it('--until DAY includes the whole day; hours and times name the day they fall on (the grammar videos list takes)', async () => {
    // Row 7 is at 22:30 UTC on March 31, the last day: counted.
    const last = (await costs(['--json', '--tz', 'UTC', '--since', '2026-03-31', '--until', '2026-03-31'])).json();
    expect([last.count, last.total_cost, last.from, last.to]).toEqual([1, 1.2, '2026-03-31T00:00:00+00:00', '2026-04-01T00:00:00+00:00']);
    // In Berlin it is April 1, past --until 2026-03-31.
    expect((await costs(['--json', '--tz', 'Europe/Berlin', '--since', '2026-03-31', '--until', '2026-03-31'])).json().count).toBe(0);
    // NOW is March 31 12:00 UTC: 24h ago is March 30, so the report starts that day.
    const day = (await costs(['--json', '--tz', 'UTC', '--since', '24h'])).json();
    expect([day.since, day.until, day.count]).toEqual(['2026-03-30', '2026-03-31', 1]);
    const times = (await costs(['--json', '--tz', 'UTC', '--since', '2026-03-10T23:00:00Z', '--until', '2026-03-31T01:00+00:00'])).json();
    expect([times.since, times.until]).toEqual(['2026-03-10', '2026-03-31']);
  });

  it('prints CSV and TSV of the groups only (no totals row mixed in), and a table with 2-decimal money and its total on a terminal', async () => {
    const csv = await costs(['--csv', '--tz', 'UTC', ...MARCH]);
    expect(csv.stdout).toBe('key,count,seconds,cost\nsora-1,1,10,0.125\nsora-2,2,16,1.6\nsora-2-pro,1,8,2.4\n');
    const tsv = await costs(['--tz', 'UTC', ...MARCH]);
    expect(tsv.stdout.split('\n')[0]).toBe('sora-1\t1\t10\t$0.13');
    expect(tsv.stdout).not.toContain('TOTAL');
    const table = await runCli(['costs', '--tz', 'UTC', ...MARCH], { env, tty: true, overrides: { now: () => NOW } });
    expect(table.stdout).toMatch(/^MODEL\s+COUNT\s+SECONDS\s+COST \(EST\.\)$/m);
    expect(table.stdout).toMatch(/^sora-2-pro\s+1\s+8\s+\$2\.40$/m);
    expect(table.stdout).toMatch(/^TOTAL\s+4\s+34\s+\$4\.13$/m);
    expect(table.stdout).toContain('failed/cancelled: 2 ($1.20 estimated, not counted)');
    expect(table.stdout).toContain('in flight: 1 ($1.20 estimated, not counted yet)');
  });

  it('draws a chart: Unicode blocks on a colour terminal, # otherwise; JSON unchanged', async () => {
    const plain = await costs(['--by', 'day', '--tz', 'UTC', '--chart', ...MARCH]);
    expect(plain.code).toBe(0);
    const lines = plain.stdout.split('\n');
    expect(lines[1]).toMatch(/^2026-03-10 #+ \$2\.53$/);
    expect(lines[0]).toMatch(/^2026-03-01 #+\s+\$0\.40$/);
    expect(lines[1]?.length).toBeLessThanOrEqual(80);
    const unicode = await runCli(['costs', '--by', 'day', '--tz', 'UTC', '--chart', ...MARCH], {
      env: { ...env, NO_COLOR: '' },
      tty: true,
      overrides: { now: () => NOW },
    });
    expect(unicode.stdout).toContain('█');
    expect(unicode.stdout.split('\n')[1]?.length).toBe(120);
    const json = await costs(['--by', 'day', '--tz', 'UTC', '--chart', '--json', ...MARCH]);
    expect(json.json().groups).toHaveLength(3);
  });

  it('refuses a bad zone, date or grouping with exit 2', async () => {
    expect((await costs(['--tz', 'Mars/Olympus'])).code).toBe(2);
    expect((await costs(['--tz', '+02:00'])).code).toBe(2);
    expect((await costs(['--since', '2026-02-30'])).code).toBe(2);
    expect((await costs(['--since', 'yesterday'])).code).toBe(2);
    expect((await costs(['--since', '2026-03-10', '--until', '2026-03-01'])).code).toBe(2);
    expect((await costs(['--by', 'color'])).code).toBe(2);
  });

  it('exits 4 without a valid session', async () => {
    const result = await runCli(['costs', '--json'], { env: { ...env, OCTO_TOKEN: '' } });
    expect(result.code).toBe(4);
  });
});
