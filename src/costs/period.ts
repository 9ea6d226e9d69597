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

/** How a --since/--until value may be written, for every command that takes them. */
export const PERIOD_GRAMMAR = 'a date (2026-11-01), a time (2026-11-01T09:30, 2026-11-01T09:30Z) or relative: 24h, 7d, 2w, 3m (months)';

/**
 * A relative day count: `7d` = the 7 days ending today (today and the 6 before), `2w` = the 14 days
 * ending today, `3m` = since the day after the same date 3 months ago. As --until it names that
 * window's first day.
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
  if (!relative) throw new UsageError(`${flag} must be ${PERIOD_GRAMMAR}; got "${value}"`);
  const n = Number(relative[1]);
  if (n === 0) return today;
  if (relative[2] === 'd') return addDays(today, -(n - 1));
  if (relative[2] === 'w') return addDays(today, -(7 * n - 1));
  return addDays(addMonths(today, -n), 1);
}

/** One end of a --since/--until range: a calendar day of the zone, or an instant. */
export type PeriodBound = { day: string } | { at: Date };

const HOURS = /^(\d{1,5})h$/;
const TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3})\d*)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * The one --since/--until grammar. Days (a date, `7d`, `2w`, `3m`) are calendar days of
 * `timeZone`; hours (`24h`, counted back from `now`) and times are instants. A time without an
 * offset is read on the zone's wall clock.
 */
export function parseBound(value: string, flag: string, now: Date, timeZone: string): PeriodBound {
  const text = value.trim();
  const hours = HOURS.exec(text);
  if (hours) return { at: new Date(now.getTime() - Number(hours[1]) * 3_600_000) };
  const time = TIME.exec(text);
  if (!time) return { day: parseDay(text, flag, dayIn(now, timeZone)) };
  const [, day, hh, mm, ss = '00', ms = '0', offset] = time as unknown as [string, string, string, string, string?, string?, string?];
  parseDay(day, flag, day);
  if (Number(hh) > 23 || Number(mm) > 59 || Number(ss) > 59) throw new UsageError(`${flag} ${value}: no such time`);
  const msOfDay = ((Number(hh) * 60 + Number(mm)) * 60 + Number(ss)) * 1000 + Number(ms.padEnd(3, '0'));
  if (!offset) return { at: instantIn(day, msOfDay, timeZone) };
  const sign = offset.toUpperCase() === 'Z' ? 0 : offset.startsWith('-') ? -1 : 1;
  const [oh, om] = sign === 0 ? [0, 0] : [Number(offset.slice(1, 3)), Number(offset.slice(-2))];
  if (oh > 23 || om > 59) throw new UsageError(`${flag} ${value}: no such offset`);
  return { at: new Date(toUtcDate(day).getTime() + msOfDay - sign * (oh * 60 + om) * 60_000) };
}

/** What the wall clock of `timeZone` shows at `instant`, as milliseconds of a UTC timeline. */
function wallClock(instant: Date, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
  }).formatToParts(instant);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  return Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) + instant.getUTCMilliseconds();
}

/**
 * The instant at which `timeZone`'s wall clock shows `day` plus `msOfDay`. As Postgres reads
 * `timestamp AT TIME ZONE` (so a day starts where the cost report's SQL starts it): a time shown
 * twice (clocks going back) is the later one, a time skipped (clocks going forward) is moved
 * forward by the jump.
 */
export function instantIn(day: string, msOfDay: number, timeZone: string): Date {
  const wall = toUtcDate(day).getTime() + msOfDay;
  const offsetAt = (t: number) => wallClock(new Date(t), timeZone) - t;
  const first = wall - offsetAt(wall);
  const second = wall - offsetAt(first);
  const shown = [first, second].filter((t) => wallClock(new Date(t), timeZone) === wall);
  return new Date(shown.length > 0 ? Math.max(...shown) : Math.max(first, second));
}

/** The first instant a bound covers (a day: its start in the zone). */
function startOf(bound: PeriodBound, timeZone: string): Date {
  return 'at' in bound ? bound.at : instantIn(bound.day, 0, timeZone);
}

/** The first instant past a bound (a day: the start of the next; a time: the next millisecond). */
function endOf(bound: PeriodBound, timeZone: string): Date {
  return 'at' in bound ? new Date(bound.at.getTime() + 1) : instantIn(addDays(bound.day, 1), 0, timeZone);
}

/** The calendar day a bound falls on in the zone. */
function dayOf(bound: PeriodBound, timeZone: string): string {
  return 'at' in bound ? dayIn(bound.at, timeZone) : bound.day;
}

/**
 * The instants [from, to) that --since/--until cover, either end open when its flag is absent.
 * `--until` is inclusive: a day runs to its end, a time includes itself.
 */
export function resolveInstants(input: { since?: string; until?: string; timeZone: string; now: Date }): { from?: Date; to?: Date } {
  const from = input.since ? startOf(parseBound(input.since, '--since', input.now, input.timeZone), input.timeZone) : undefined;
  const to = input.until ? endOf(parseBound(input.until, '--until', input.now, input.timeZone), input.timeZone) : undefined;
  if (from && to && from >= to) throw new UsageError(`--since ${input.since} is after --until ${input.until}`);
  return { from, to };
}

/**
 * The days a report covers: given flags (the grammar above; an hour count or a time names the day
 * it falls on, as a report counts whole days), else this month to date.
 */
export function resolveRange(input: { since?: string; until?: string; timeZone: string; now: Date }): DayRange {
  const today = dayIn(input.now, input.timeZone);
  const since = input.since ? dayOf(parseBound(input.since, '--since', input.now, input.timeZone), input.timeZone) : `${today.slice(0, 7)}-01`;
  const until = input.until ? dayOf(parseBound(input.until, '--until', input.now, input.timeZone), input.timeZone) : today;
  if (since > until) {
    // Without --until the report ends today: say so, rather than name a flag the user did not give.
    throw new UsageError(input.until ? `--since ${since} is after --until ${until}` : `--since ${since} is after today (${until}), where the report ends`, {
      hint: input.until ? undefined : 'a report covers days up to today; give a day that has passed',
    });
  }
  return { since, until, timeZone: input.timeZone };
}
