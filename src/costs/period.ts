import { UsageError } from '../core/errors.js';

/**
 * Report periods: which calendar days a report covers, in the user's time zone. Pure: the
 * database turns these days into instants (`day::timestamp AT TIME ZONE tz`), so day, week and
 * month boundaries follow the zone, DST included.
 */

export interface DayRange {
  /** First day, inclusive, YYYY-MM-DD in `timeZone`. */
  since: string;
  /** Last day, inclusive, YYYY-MM-DD in `timeZone`. */
  until: string;
  timeZone: string;
}

/**
 * The zone months and days follow when no --tz is given: TZ from the command's environment when
 * it names a zone, else the system's. One definition for reports, budgets and generate's budget
 * check, so they agree on when a month starts.
 */
export function systemTimeZone(env: Record<string, string | undefined> = {}): string {
  if (env.TZ) {
    try {
      return validateTimeZone(env.TZ);
    } catch {
      // TZ like ":/etc/localtime": the system's zone is the one Intl resolved from it.
    }
  }
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** An IANA zone name Postgres and Intl both know; anything else is a usage error (exit 2). */
export function validateTimeZone(zone: string): string {
  const trimmed = zone.trim();
  // Offsets like "+02:00" mean the opposite sign to Postgres (POSIX): refuse them.
  const shaped = /^(UTC|GMT|[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*)$/.test(trimmed);
  let known = false;
  if (shaped) {
    try {
      new Intl.DateTimeFormat('en-US', { timeZone: trimmed });
      known = true;
    } catch {
      known = false;
    }
  }
  if (!known) {
    throw new UsageError(`unknown time zone "${zone}"`, { hint: 'use an IANA name such as UTC, Europe/Berlin or America/New_York' });
  }
  return trimmed;
}

/** The calendar date of `instant` in `timeZone`, as YYYY-MM-DD. */
export function dayIn(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)!.value;
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** `instant` as ISO 8601 with the zone's offset there, e.g. 2026-04-01T01:30:00+02:00. */
export function isoInZone(instant: Date, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    timeZoneName: 'longOffset',
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const name = get('timeZoneName'); // "GMT+02:00", or "GMT" at offset zero
  const offset = name === 'GMT' ? '+00:00' : name.replace('GMT', '');
  return `${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}:${get('second')}${offset}`;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RELATIVE = /^(\d{1,4})([dwm])$/;

function toUtcDate(day: string): Date {
  const [, y, m, d] = DATE.exec(day)!;
  return new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
}

function formatUtcDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function addDays(day: string, days: number): string {
  const date = toUtcDate(day);
  date.setUTCDate(date.getUTCDate() + days);
  return formatUtcDate(date);
}

function addMonths(day: string, months: number): string {
  const date = toUtcDate(day);
  const target = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1));
  const lastDay = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(date.getUTCDate(), lastDay));
  return formatUtcDate(target);
}

/**
 * A --since/--until value: YYYY-MM-DD, or relative to today: `7d` = the 7 days ending today
 * (today and the 6 before), `2w` = the 14 days ending today, `3m` = since the day after the
 * same date 3 months ago. A relative --until means that many periods back from today.
 */
export function parseDay(value: string, flag: string, today: string): string {
  const text = value.trim();
  const date = DATE.exec(text);
  if (date) {
    const parsed = toUtcDate(text);
    if (formatUtcDate(parsed) !== text) throw new UsageError(`${flag} ${value}: no such date`);
    return text;
  }
  const relative = RELATIVE.exec(text);
  if (!relative) {
    throw new UsageError(`${flag} must be a date (YYYY-MM-DD) or relative (7d, 2w, 3m), got "${value}"`);
  }
  const n = Number(relative[1]);
  if (n === 0) return today;
  if (relative[2] === 'd') return addDays(today, -(n - 1));
  if (relative[2] === 'w') return addDays(today, -(7 * n - 1));
  return addDays(addMonths(today, -n), 1);
}

/** The days a report covers: given flags, else this month to date. */
export function resolveRange(input: { since?: string; until?: string; timeZone: string; now: Date }): DayRange {
  const today = dayIn(input.now, input.timeZone);
  const since = input.since ? parseDay(input.since, '--since', today) : `${today.slice(0, 7)}-01`;
  const until = input.until ? parseDay(input.until, '--until', today) : today;
  if (since > until) throw new UsageError(`--since ${since} is after --until ${until}`);
  return { since, until, timeZone: input.timeZone };
}
