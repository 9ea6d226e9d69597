import { UsageError } from '../core/errors.js';

/**
 * Flag parsers shared by commands. Kept apart from the features so that a read command's flags
 * (videos list --limit) do not load generate's modules and their chunks at start-up.
 */

export const positiveInt =
  (flag: string, min = 1) =>
  (value: string) => {
    if (!/^\s*\d+\s*$/.test(value) || Number(value) < min) throw new UsageError(`${flag} must be a whole number ≥ ${min}, got ${JSON.stringify(value)}`);
    return Number(value);
  };

export const usd = (flag: string) => (value: string) => {
  const n = Number(value.replace(/^\$/, ''));
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new UsageError(`${flag} must be an amount in USD, e.g. 2.50, got ${JSON.stringify(value)}`);
  return n;
};

/** `90`, `90s`, `15m`, `1h` → ms. */
export function parseDuration(value: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/i.exec(value);
  if (!m) throw new UsageError(`--timeout must look like 90s, 15m or 1h, got ${JSON.stringify(value)}`);
  const unit = (m[2] ?? 's').toLowerCase();
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit as 'ms' | 's' | 'm' | 'h'];
}
