import { toDbError } from './errors.js';
import { firstWords } from './pg-driver.js';
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
  let roundTrips = 0;

  const timed = async <T>(what: string, work: () => Promise<T>): Promise<T> => {
    const started = performance.now();
    try {
      return await work();
    } catch (error) {
      throw toDbError(error, options.label);
    } finally {
      roundTrips += 1;
      options.onRoundTrip?.(what, performance.now() - started);
    }
  };

  return {
    driver: 'neon',
    label: options.label,
    key: options.key,
    get roundTrips() {
      return roundTrips;
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
