import { UsageError } from '../core/errors.js';

/**
 * Flag parsers shared by commands. Kept apart from the features so that a read command's flags
 * (videos list --limit) do not load generate's modules and their chunks at start-up.
 */

/**
 * The largest whole number a flag takes unless it says otherwise: Postgres's `integer`, so a
 * `--limit` or a pace reaches the database as a number it can hold (a bigger one was a raw
 * "out of range" error, exit 1), and far past any sensible count.
 */
export const MAX_FLAG_INT = 2_147_483_647;

/** A whole number from `min` to `max` (decimal digits only: no `1e3`, `0x10`, `-1` or `2.5`). */
export const positiveInt =
  (flag: string, min = 1, max = MAX_FLAG_INT) =>
  (value: string) => {
    const n = /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN;
    if (!(n >= min && n <= max)) throw new UsageError(`${flag} must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
    return n;
  };

export const usd = (flag: string) => (value: string) => {
  const n = Number(value.replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be an amount in USD, e.g. 2.50, got ${JSON.stringify(value)}`);
  return n;
};

/** The longest --timeout: what a timer can wait (about 24 days); a longer one fired at once. */
const MAX_DURATION_MS = 2_147_483_647;

/** `90`, `90s`, `15m`, `1h` → ms. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`--timeout must look like 90s, 15m or 1h, got ${JSON.stringify(value)}`);
  const unit = (m[2] ?? 's').toLowerCase();
  const ms = Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
  if (ms > MAX_DURATION_MS) throw new UsageError(`--timeout must be at most 596h (24 days), got ${JSON.stringify(value)}`);
  return ms;
}
