/**
 * Money for people: 2 decimals, rounded half up on the decimal value the database holds
 * (2.525 is $2.53, where Number#toFixed would print the binary double's $2.52).
 */
export function formatUsd(value: unknown): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return '';
  // Shift by exponent notation: "2.525e2" is exactly 252.5, so the rounding sees the decimal.
  const shifted = Number(`${Math.abs(n)}e2`);
  const cents = Math.round(Number.isFinite(shifted) ? shifted : Math.abs(n) * 100);
  const text = `$${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')}`;
  return n < 0 && cents > 0 ? `-${text}` : text;
}

/** Sums of DECIMAL(10,4) amounts in JS, without binary noise. */
export function roundUsd(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}
