import { sessionScope } from './authed.js';
import { firstWords, roundTripMeter } from './round-trips.js';
import { octoTypes } from './type-parsers.js';
import type { Db, QueryOptions, Row, Statement } from './types.js';

export interface NeonDriverOptions {
  url: string;
  label: string;
  key: string;
  /** A local Neon-compatible SQL-over-HTTP endpoint (Neon Local, tests): `OCTO_NEON_FETCH_ENDPOINT`. */
  fetchEndpoint?: string;
  onRoundTrip?: (what: string, ms: number) => void;
}

/** What a statement with a session token is preceded by, in the same request (one transaction). */
const CARRY_SESSION = `SELECT set_config('octo.token', $1, true)`;

/**
 * `@neondatabase/serverless` over HTTP: one request per query, one per transaction. A statement
 * that carries a session token (member mode) travels as a transaction of two in ONE request: the
 * token first, so row-level security sees it, then the statement; still one round trip.
 */
export async function openNeon(options: NeonDriverOptions): Promise<Db> {
  const { neon, neonConfig } = await import('@neondatabase/serverless');
  if (options.fetchEndpoint) {
    const endpoint = options.fetchEndpoint.replace(/\/+$/, '');
    neonConfig.fetchEndpoint = endpoint.endsWith('/sql') ? endpoint : `${endpoint}/sql`;
  }
  const sql = neon(options.url);
  // Type parsers are a per-query option in this driver (neon() ignores them).
  const queryOptions = { types: octoTypes };
  const meter = roundTripMeter(options.label, options.onRoundTrip);
  const timed = meter.timed;

  const db: Db = {
    driver: 'neon',
    forSession: (ref) => sessionScope(db, ref),
    label: options.label,
    key: options.key,
    get roundTrips() {
      return meter.count;
    },
    async query<R extends Row = Row>(text: string, values: unknown[] = [], options?: QueryOptions) {
      const token = options?.sessionToken;
      if (!token) return (await timed(firstWords(text), () => sql.query(text, values, queryOptions))) as R[];
      const [, rows] = await timed(firstWords(text), () =>
        sql.transaction([sql.query(CARRY_SESSION, [token], queryOptions), sql.query(text, values, queryOptions)]),
      );
      return rows as R[];
    },
    async transaction(statements: Statement[], options?: QueryOptions) {
      const token = options?.sessionToken;
      const carried = token ? [{ text: CARRY_SESSION, values: [token] }, ...statements] : statements;
      const results = await timed(`transaction of ${statements.length}`, () =>
        sql.transaction(carried.map((s) => sql.query(s.text, s.values ?? [], queryOptions))),
      );
      return (token ? results.slice(1) : results) as Row[][];
    },
    async close() {
      // HTTP: nothing held open.
    },
  };
  return db;
}
