import type { PGlite } from '@electric-sql/pglite';
import { roundTripMeter } from './round-trips.js';
import { parseValue } from './type-parsers.js';
import type { Db, Row, Statement } from './types.js';

/**
 * Opens PGlite in this process. Only the embedded server (`src/db/embedded/server.ts`) and tests
 * do this: PGlite has no cross-process lock, so commands reach the data folder through that
 * server instead.
 */
export async function openPgliteInstance(dataDir: string | undefined): Promise<PGlite> {
  const [{ PGlite }, { uuid_ossp }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('@electric-sql/pglite/contrib/uuid_ossp'),
  ]);
  const db = new PGlite({ dataDir, extensions: { uuid_ossp } });
  await db.waitReady;
  return db;
}

/** Wraps a PGlite instance in the `Db` interface, with the same value shapes as `pg`. */
export function pgliteDb(instance: PGlite, options: { label?: string; key?: string } = {}): Db {
  const meter = roundTripMeter(options.label ?? 'embedded');
  const parsers = new Proxy({} as Record<number, (value: string) => unknown>, {
    get: (_target, oid) => (value: string) => parseValue(Number(oid), value),
  });
  const run = async (runner: Pick<PGlite, 'query'>, statement: Statement): Promise<Row[]> => {
    const result = await runner.query<Row>(statement.text, statement.values ?? [], { parsers });
    return result.rows;
  };
  const counted = <T>(work: () => Promise<T>) => meter.timed('query', work);
  return {
    driver: 'pglite',
    label: options.label ?? 'embedded',
    key: options.key ?? 'pglite',
    get roundTrips() {
      return meter.count;
    },
    query: <R extends Row = Row>(text: string, values?: unknown[]) =>
      counted(async () => (await run(instance, { text, values })) as R[]),
    transaction: (statements: Statement[]) =>
      counted(() =>
        instance.transaction(async (tx) => {
          const results: Row[][] = [];
          for (const statement of statements) results.push(await run(tx, statement));
          return results;
        }),
      ),
    async close() {
      await instance.close();
    },
  };
}

