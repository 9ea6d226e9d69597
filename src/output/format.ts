/** Formatting shared by every table and record: dates and cells (money: src/core/money.ts). */

/** JSON for the machine contract: Dates as ISO 8601 (UTC), undefined dropped. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v instanceof Date ? v.toISOString() : v), 2);
}

const LOCAL = new Map<string, Intl.DateTimeFormat>();

/** `2026-11-29 14:05` in `timeZone`: what people read at a terminal. */
export function localTime(value: Date, timeZone: string): string {
  let format = LOCAL.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
    LOCAL.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(value).map((p) => [p.type, p.value]));
  return `${part.year}-${part.month}-${part.day} ${part.hour}:${part.minute}`;
}

/**
 * A value as text. With a time zone (a terminal) Dates are local minutes; without (piped, CSV)
 * they are UTC ISO 8601, exact.
 */
export function cellText(value: unknown, timeZone?: string): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return timeZone ? localTime(value, timeZone) : value.toISOString();
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** How long from `now` until `until`, as people say it: `12 s`, `3 min` (never less than 1 s). */
export function timeUntil(until: Date, now: Date): string {
  const seconds = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return seconds < 120 ? `${seconds} s` : `${Math.ceil(seconds / 60)} min`;
}

/** How far `at` is from `now`, as people say it: `in 7 days`, `3 h ago`, `in 12 min`, `40 s ago`. */
export function relativeTime(at: Date, now: Date): string {
  const ms = at.getTime() - now.getTime();
  const s = Math.abs(ms) / 1000;
  const span =
    s < 90 ? `${Math.round(s)} s` : s < 90 * 60 ? `${Math.round(s / 60)} min` : s < 36 * 3600 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} days`;
  return ms >= 0 ? `in ${span}` : `${span} ago`;
}
