/**
 * Every driver returns the same shapes (the contract tests check it): numeric and bigint as
 * numbers (money here is DECIMAL(10,4), far inside a double's exact range), timestamps as Date,
 * UUIDs as strings, JSON parsed, booleans as booleans.
 *
 * The seed's columns are `TIMESTAMP` without a zone; octo always talks UTC to the server, so a
 * zoneless timestamp is read as UTC.
 */

const OID = {
  bool: 16,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  timestamp: 1114,
  timestamptz: 1184,
  date: 1082,
  numeric: 1700,
  jsonb: 3802,
} as const;

const parseTimestamp = (value: string): Date => {
  // "2026-11-25 10:00:00.123456" (UTC by convention) or "2026-11-25 10:00:00+00"
  const iso = value.replace(' ', 'T');
  return new Date(/[zZ]|[+-]\d\d(:?\d\d)?$/.test(iso) ? iso.replace(/([+-]\d\d)$/, '$1:00') : `${iso}Z`);
};

const parsers: Record<number, (value: string) => unknown> = {
  [OID.bool]: (v) => v === 't' || v === 'true',
  [OID.int8]: Number,
  [OID.int2]: Number,
  [OID.int4]: Number,
  [OID.oid]: Number,
  [OID.float4]: Number,
  [OID.float8]: Number,
  [OID.numeric]: Number,
  [OID.json]: (v) => JSON.parse(v),
  [OID.jsonb]: (v) => JSON.parse(v),
  [OID.timestamp]: parseTimestamp,
  [OID.timestamptz]: parseTimestamp,
};

const identity = (value: string): string => value;

/** Parses one text-format value by its type OID. */
export function parseValue(oid: number, value: string | null): unknown {
  if (value === null) return null;
  return (parsers[oid] ?? identity)(value);
}

/** The `types` option accepted by both `pg` and `@neondatabase/serverless`. */
export const octoTypes = {
  getTypeParser: (oid: number) => parsers[oid] ?? identity,
};
