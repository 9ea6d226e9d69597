import type { Pool, PoolConfig } from 'pg';
import { toDbError } from './errors.js';
import { firstWords, roundTripMeter } from './round-trips.js';
import { octoTypes } from './type-parsers.js';
import type { Db, DriverName, Row, Statement } from './types.js';

export interface PgDriverOptions {
  driver?: DriverName;
  label: string;
  key: string;
  config: PoolConfig;
  /** Called after each round trip with its duration (for --debug). */
  onRoundTrip?: (what: string, ms: number) => void;
}

/**
 * `pg` over TCP or a Unix socket. A small pool, so a transaction holds its own connection
 * while other work of the same process (a batch's workers) goes on beside it.
 */
export async function openPg(options: PgDriverOptions): Promise<Db> {
  const { default: pg } = await import('pg');
  const pool: Pool = new pg.Pool({
    // A batch's workers (--concurrency up to 8) each write their own rows.
    max: 8,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    ...options.config,
    types: octoTypes,
    // The seed's timestamps have no zone: every session reads and writes them as UTC.
    options: '-c TimeZone=UTC',
  });
  pool.on('error', () => {
    // An idle client lost its connection; the next query reconnects and reports its own error.
  });
  // Every command that opens the database queries it: start the connection now, so its set-up
  // overlaps with whatever the command does before its first query.
  // Queries wait for it: issued earlier, the pool would open a second connection beside it.
  const warm = pool.connect().then(
    (client) => client.release(),
    () => undefined, // the first query reports it
  );
  const meter = roundTripMeter(options.label, options.onRoundTrip);
  const timed = meter.timed;

  return {
    driver: options.driver ?? 'pg',
    label: options.label,
    key: options.key,
    get roundTrips() {
      return meter.count;
    },
    async query<R extends Row = Row>(text: string, values: unknown[] = []) {
      await warm;
      const result = await timed(firstWords(text), () => pool.query(text, values));
      return result.rows as R[];
    },
    async transaction(statements: Statement[]) {
      let client;
      try {
        await warm;
        client = await pool.connect();
      } catch (error) {
        throw toDbError(error, options.label);
      }
      const connection = client;
      try {
        await timed('BEGIN', () => connection.query('BEGIN'));
        const results: Row[][] = [];
        for (const statement of statements) {
          const result = await timed(firstWords(statement.text), () =>
            connection.query(statement.text, statement.values ?? []),
          );
          results.push(result.rows);
        }
        await timed('COMMIT', () => connection.query('COMMIT'));
        return results;
      } catch (error) {
        await connection.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        connection.release();
      }
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
}
