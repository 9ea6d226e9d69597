/** Formatting shared by every table: dates and cells (money: src/costs/money.ts). JSON never goes through these. */

function formatDate(value: Date): string {
  return value.toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}

/** JSON for the machine contract: Dates as ISO 8601 with offset, undefined dropped. */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) => (v instanceof Date ? v.toISOString() : v), 2);
}

export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return formatDate(value);
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}
