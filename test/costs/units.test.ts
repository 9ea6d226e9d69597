import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { estimateCost } from '../../src/costs/estimate.js';
import { formatUsd } from '../../src/core/money.js';
import { dayIn, instantIn, isoInZone, parseBound, parseDay, resolveInstants, resolveRange, validateTimeZone } from '../../src/costs/period.js';
import { BUILTIN_PRICES, loadPricing, parsePricingFile, pricingFileVersion } from '../../src/costs/pricing.js';
import { bar, barChart } from '../../src/output/chart.js';

describe('chart', () => {
  it('draws eighths with Unicode and whole # with ASCII', () => {
    expect(bar(10, 10, 4, true)).toBe('████');
    expect(bar(1, 8, 1, true)).toBe('▏');
    expect(bar(5, 8, 1, true)).toBe('▋');
    expect(bar(3, 8, 2, true)).toBe('▊'); // 6/8 of one cell
    expect(bar(9, 16, 2, true)).toBe('█▏');
    expect(bar(5, 10, 10, false)).toBe('#####');
    expect(bar(0.001, 10, 10, false)).toBe('#'); // any spend is visible
    expect(bar(0, 10, 10, true)).toBe('');
    expect(bar(1, 0, 10, true)).toBe('');
  });

  it('fits label, bar and amount in the width, amounts right-aligned', () => {
    const chart = barChart(
      [
        { label: '2026-03-01', value: 1, valueText: '$1.00' },
        { label: '2026-03-02', value: 4, valueText: '$4.00' },
        { label: '2026-03-03', value: 0, valueText: '$0.00' },
      ],
      { width: 40, unicode: false },
    );
    const lines = chart.split('\n');
    expect(lines.every((l) => l.length === 40)).toBe(true);
    expect(lines[1]).toBe(`2026-03-02 ${'#'.repeat(23)} $4.00`);
    expect(lines[0]).toBe(`2026-03-01 ${'#'.repeat(6)}${' '.repeat(17)} $1.00`);
    expect(lines[2]).toBe(`2026-03-03 ${' '.repeat(23)} $0.00`);
  });

  it('keeps a minimum bar on narrow terminals and draws nothing for no items', () => {
    expect(barChart([{ label: 'a-very-long-label', value: 1, valueText: '$1.00' }], { width: 10, unicode: true })).toBe(
      `a-very-long-label ${'█'.repeat(10)} $1.00`,
    );
    expect(barChart([], { width: 80, unicode: true })).toBe('');
  });
});

describe('periods and zones', () => {
  const now = new Date('2026-03-31T22:30:00Z'); // April 1 in Berlin (summer time)
  it('knows the date in a zone, across DST', () => {
    expect(dayIn(now, 'UTC')).toBe('2026-03-31');
    expect(dayIn(now, 'Europe/Berlin')).toBe('2026-04-01');
    expect(isoInZone(now, 'Europe/Berlin')).toBe('2026-04-01T00:30:00+02:00');
    expect(isoInZone(new Date('2026-01-15T12:00:00Z'), 'America/New_York')).toBe('2026-01-15T07:00:00-05:00');
    expect(isoInZone(now, 'UTC')).toBe('2026-03-31T22:30:00+00:00');
  });

  it('defaults to this month to date, in the zone', () => {
    expect(resolveRange({ timeZone: 'UTC', now })).toEqual({ since: '2026-03-01', until: '2026-03-31', timeZone: 'UTC' });
    expect(resolveRange({ timeZone: 'Europe/Berlin', now })).toEqual({ since: '2026-04-01', until: '2026-04-01', timeZone: 'Europe/Berlin' });
  });

  it('parses dates and relative periods', () => {
    expect(parseDay('2024-02-29', '--since', '2026-03-31')).toBe('2024-02-29');
    expect(parseDay('1d', '--since', '2026-03-31')).toBe('2026-03-31');
    expect(parseDay('30d', '--since', '2026-03-31')).toBe('2026-03-02');
    expect(parseDay('2w', '--since', '2026-03-31')).toBe('2026-03-18');
    expect(parseDay('1m', '--since', '2026-03-31')).toBe('2026-03-01'); // Feb 28 + 1 day
    expect(parseDay('3m', '--since', '2026-05-15')).toBe('2026-02-16');
    for (const bad of ['2026-02-29', '2026-13-01', '7x', 'yesterday', '']) {
      expect(() => parseDay(bad, '--since', '2026-03-31')).toThrow(UsageError);
    }
    expect(() => resolveRange({ since: '2026-03-02', until: '2026-03-01', timeZone: 'UTC', now })).toThrow('--since 2026-03-02 is after --until 2026-03-01');
    // No --until given: the message names today, not a flag the user never typed.
    expect(() => resolveRange({ since: '2027-01-01', timeZone: 'UTC', now })).toThrow('--since 2027-01-01 is after today (2026-03-31), where the report ends');
  });

  it('reads the one --since/--until grammar: days of the zone, hours and times as instants', () => {
    expect(parseBound('7d', '--since', now, 'UTC')).toEqual({ day: '2026-03-25' });
    expect(parseBound('7d', '--since', now, 'Europe/Berlin')).toEqual({ day: '2026-03-26' });
    expect(parseBound('2026-11-01', '--since', now, 'UTC')).toEqual({ day: '2026-11-01' });
    expect(parseBound('24h', '--since', now, 'UTC')).toEqual({ at: new Date('2026-03-30T22:30:00Z') });
    expect(parseBound('2026-11-01T09:30Z', '--since', now, 'UTC')).toEqual({ at: new Date('2026-11-01T09:30:00Z') });
    expect(parseBound('2026-11-01T09:30:15.250-0500', '--since', now, 'UTC')).toEqual({ at: new Date('2026-11-01T14:30:15.250Z') });
    // No offset: the zone's wall clock.
    expect(parseBound('2026-07-01 09:30', '--since', now, 'Europe/Berlin')).toEqual({ at: new Date('2026-07-01T07:30:00Z') });
    for (const bad of ['2026-11-01T24:00', '2026-02-30T10:00', '2026-11-01T10:60Z', '1.5h', 'h', '7 days']) {
      expect(() => parseBound(bad, '--since', now, 'UTC'), bad).toThrow(UsageError);
    }
  });

  it('starts a day where Postgres starts it, across DST', () => {
    expect(instantIn('2026-03-29', 0, 'Europe/Berlin')).toEqual(new Date('2026-03-28T23:00:00Z'));
    expect(instantIn('2026-03-30', 0, 'Europe/Berlin')).toEqual(new Date('2026-03-29T22:00:00Z'));
    // 02:30 does not exist that night (02:00 → 03:00): moved forward by the hour, as Postgres does.
    expect(instantIn('2026-03-29', 2.5 * 3_600_000, 'Europe/Berlin')).toEqual(new Date('2026-03-29T01:30:00Z'));
    // 02:30 happens twice on October 25: the later one (standard time), as Postgres does.
    expect(instantIn('2026-10-25', 2.5 * 3_600_000, 'Europe/Berlin')).toEqual(new Date('2026-10-25T01:30:00Z'));
    // Chile skips midnight (00:00 → 01:00 on 2026-09-06): the day starts at 01:00, -03.
    expect(instantIn('2026-09-06', 0, 'America/Santiago')).toEqual(new Date('2026-09-06T04:00:00Z'));
  });

  it('covers [from, to) with --until inclusive: a day to its end, a time to itself', () => {
    expect(resolveInstants({ since: '2026-03-01', until: '2026-03-31', timeZone: 'Europe/Berlin', now })).toEqual({
      from: new Date('2026-02-28T23:00:00Z'),
      to: new Date('2026-03-31T22:00:00Z'),
    });
    expect(resolveInstants({ until: '2026-03-31T10:00Z', timeZone: 'UTC', now })).toEqual({ from: undefined, to: new Date('2026-03-31T10:00:00.001Z') });
    expect(resolveInstants({ timeZone: 'UTC', now })).toEqual({ from: undefined, to: undefined });
    expect(resolveInstants({ since: '1h', until: '0d', timeZone: 'UTC', now })).toEqual({
      from: new Date('2026-03-31T21:30:00Z'),
      to: new Date('2026-04-01T00:00:00Z'),
    });
    expect(() => resolveInstants({ since: '2026-03-02', until: '2026-03-01', timeZone: 'UTC', now })).toThrow(/after/);
    // A report counts whole days: an hour count or a time names the day it falls on.
    expect(resolveRange({ since: '48h', until: '2026-03-31T23:59Z', timeZone: 'UTC', now })).toEqual({
      since: '2026-03-29',
      until: '2026-03-31',
      timeZone: 'UTC',
    });
  });

  it('accepts IANA zones only', () => {
    expect(validateTimeZone('Europe/Berlin')).toBe('Europe/Berlin');
    expect(validateTimeZone('UTC')).toBe('UTC');
    for (const bad of ['Mars/Olympus', '+02:00', 'UTC+2; DROP TABLE x', '']) expect(() => validateTimeZone(bad)).toThrow(UsageError);
  });
});

describe('money', () => {
  it('rounds the decimal value half up, never truncates', () => {
    expect(formatUsd(2.525)).toBe('$2.53');
    expect(formatUsd(0.125)).toBe('$0.13');
    expect(formatUsd(1234567.891)).toBe('$1234567.89');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(-1.005)).toBe('-$1.01');
    expect(formatUsd(1e-7)).toBe('$0.00');
  });
});

describe('pricing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'octo-pricing-'));
  const write = (name: string, content: string) => {
    writeFileSync(join(dir, name), content);
    return name;
  };
  const depsFor = (file?: string) => ({ pricingFile: file, cwd: dir });

  it('is the built-in table without a file', () => {
    expect(loadPricing(depsFor())).toBe(BUILTIN_PRICES);
    const sora1 = estimateCost(BUILTIN_PRICES, { model: 'sora-1', width: 480, height: 480, seconds: 5, variants: 2 });
    expect(sora1.usd).toBeCloseTo(0.125, 12);
  });

  it('replaces matching rows with the file, adds new ones, and versions by content', () => {
    const content = JSON.stringify([
      { model: 'sora-2', size: '1280x720', usd_per_second: 0.12, source: 'our invoice', as_of: '2026-02-01' },
      { model: 'sora-1', size: '*', usd_per_second: 0.45, source: 'third-party table', as_of: '2025-06-01' },
    ]);
    const table = loadPricing(depsFor(write('prices.json', content)));
    expect(table.version).toBe(pricingFileVersion(content));
    expect(table.version).toMatch(/^file:[0-9a-f]{12}$/);
    expect(table.rows.filter((r) => r.model === 'sora-2' && r.size === '1280x720')).toEqual([
      { model: 'sora-2', size: '1280x720', usd_per_second: 0.12, source: 'our invoice', as_of: '2026-02-01' },
    ]);
    expect(table.rows.find((r) => r.model === 'sora-2' && r.size === '720x1280')?.usd_per_second).toBe(0.1);
    expect(estimateCost(table, { model: 'sora-2', width: 1280, height: 720, seconds: 4, variants: 1 })).toMatchObject({
      unit_price: 0.12,
      pricing_version: table.version,
    });
  });

  it('says which file, row and field is wrong', () => {
    const error = (content: string) => {
      try {
        parsePricingFile(content, '/x/prices.json');
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(error('{')).toMatch(/^pricing file \/x\/prices.json is not valid JSON/);
    expect(error('{"a":1}')).toMatch(/must hold a JSON array/);
    const ok = { model: 'sora-2', size: '720x1280', usd_per_second: 0.1, source: 's', as_of: '2026-01-01' };
    expect(error(JSON.stringify([ok, { ...ok, model: 'sora-3' }]))).toBe(
      'pricing file /x/prices.json, row 1: "model" must be one of sora-2, sora-2-pro, sora-1 (got "sora-3")',
    );
    expect(error(JSON.stringify([{ ...ok, size: 'big' }]))).toMatch(/row 0: "size"/);
    expect(error(JSON.stringify([{ ...ok, usd_per_second: '0.1' }]))).toMatch(/row 0: "usd_per_second" must be a number/);
    expect(error(JSON.stringify([{ ...ok, usd_per_second: -1 }]))).toMatch(/row 0: "usd_per_second"/);
    expect(error(JSON.stringify([{ ...ok, source: '' }]))).toMatch(/row 0: "source"/);
    expect(error(JSON.stringify([{ ...ok, as_of: 'June' }]))).toMatch(/row 0: "as_of"/);
    expect(() => loadPricing(depsFor('missing.json'))).toThrow(/cannot read pricing file .*missing.json: ENOENT/);
  });
});

describe('systemTimeZone', () => {
  it('takes TZ from the environment when it names a zone, else the system zone', async () => {
    const { systemTimeZone } = await import('../../src/costs/period.js');
    expect(systemTimeZone({ TZ: 'Europe/Berlin' })).toBe('Europe/Berlin');
    const system = Intl.DateTimeFormat().resolvedOptions().timeZone;
    expect(systemTimeZone({ TZ: ':/etc/localtime' })).toBe(system);
    expect(systemTimeZone({})).toBe(system);
  });
});
