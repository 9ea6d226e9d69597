import { firstWords, roundTripMeter } from './round-trips.js';
import { octoTypes } from './type-parsers.js';
import type { Db, Row, Statement } from './types.js';

export interface NeonDriverOptions {
  url: string;
  label: string;
  key: string;
  /** A local Neon-compatible SQL-over-HTTP endpoint (Neon Local, tests): `OCTO_NEON_FETCH_ENDPOINT`. */
  fetchEndpoint?: string;
  onRoundTrip?: (what: string, ms: number) => void;
}

/** `@neondatabase/serverless` over HTTP: one request per query, one per transaction. */
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

  return {
    driver: 'neon',
    label: options.label,
    key: options.key,
    get roundTrips() {
      return meter.count;
    },
    async query<R extends Row = Row>(text: string, values: unknown[] = []) {
      return (await timed(firstWords(text), () => sql.query(text, values, queryOptions))) as R[];
    },
    async transaction(statements: Statement[]) {
      const results = await timed(`transaction of ${statements.length}`, () =>
        sql.transaction(statements.map((s) => sql.query(s.text, s.values ?? [], queryOptions))),
      );
      return results as Row[][];
    },
    async close() {
      // HTTP: nothing held open.
    },
  };
}
