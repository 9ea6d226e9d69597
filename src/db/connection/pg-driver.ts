import { sessionScope } from './authed.js';
import type { Pool, PoolClient, PoolConfig } from 'pg';
import { toDbError } from './errors.js';
import { firstWords, roundTripMeter } from './round-trips.js';
import { octoTypes } from './type-parsers.js';
import type { Db, DriverName, QueryOptions, Row, Statement } from './types.js';

export interface PgDriverOptions {
  driver?: DriverName;
  label: string;
  key: string;
  config: PoolConfig;
  /** Called after each round trip with its duration (for --debug). */
  onRoundTrip?: (what: string, ms: number) => void;
  /**
   * Carry each statement's session token (member mode, src/db/connection/members.ts). `undefined`: do not
   * (the embedded server, tools); `null`: carry, no token yet; a token: every connection starts
   * with it (a startup option), so the statements of a command cost no extra round trip.
   */
  sessionToken?: string | null | Promise<string | null>;
}

/** How long the server lets a connection sit idle inside a transaction before ending it. */
export const IDLE_IN_TRANSACTION_MS = 10_000;

/** Tokens are JWTs (base64url and dots): anything else is never put in a startup option. */
const TOKEN_SHAPE = /^[A-Za-z0-9_.-]{1,4096}$/;

/**
 * `pg` over TCP or a Unix socket. A small pool, so a transaction holds its own connection
 * while other work of the same process (a batch's workers) goes on beside it.
 */
export async function openPg(options: PgDriverOptions): Promise<Db> {
  const { default: pg } = await import('pg');
  const carry = options.sessionToken !== undefined;
  // A token kept in the OS keyring arrives a little later; the connection waits for it.
  const presented = await options.sessionToken;
  const startupToken = presented && TOKEN_SHAPE.test(presented) ? presented : undefined;
  // The token each connection carries now, when a statement asked for another than the startup one.
  const carried = new WeakMap<PoolClient, string>();
  // octo's transactions never wait on the client between statements. One left idle that long
  // belongs to a process that froze or vanished (a closed laptop, a lost machine) while holding
  // row locks everyone needs (a resource's create pacing row): the server ends it and frees them.
  // Not on the embedded server (PGlite serves one connection at a time; it has no such timeout).
  const idleGuard = (options.driver ?? 'pg') === 'pg' ? ` -c idle_in_transaction_session_timeout=${IDLE_IN_TRANSACTION_MS}` : '';
  const pool: Pool = new pg.Pool({
    // A batch's workers (--concurrency up to 8) each write their own rows.
    max: 8,
    idleTimeoutMillis: 10_000,
    allowExitOnIdle: true,
    ...options.config,
    types: octoTypes,
    // The seed's timestamps have no zone: every session reads and writes them as UTC.
    options: `-c TimeZone=UTC${idleGuard}${startupToken ? ` -c octo.token=${startupToken}` : ''}`,
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
  let carriedAny = false;
  /** Makes the connection carry `token` (one round trip, only when it carries another). */
  const carrySession = async (client: PoolClient, token: string) => {
    if ((carried.get(client) ?? startupToken) === token) return;
    await timed('set session', () => client.query(`SELECT set_config('octo.token', $1, false)`, [token]));
    carried.set(client, token);
    carriedAny = true;
  };

  const db: Db = {
    driver: options.driver ?? 'pg',
    forSession: (ref) => sessionScope(db, ref),
    label: options.label,
    key: options.key,
    get roundTrips() {
      return meter.count;
    },
    async query<R extends Row = Row>(text: string, values: unknown[] = [], queryOptions?: QueryOptions) {
      await warm;
      const token = carry ? queryOptions?.sessionToken : undefined;
      if (!token || (token === startupToken && !carriedAny)) {
        const result = await timed(firstWords(text), () => pool.query(text, values));
        return result.rows as R[];
      }
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw toDbError(error, options.label);
      }
      try {
        await carrySession(client, token);
        const result = await timed(firstWords(text), () => client.query(text, values));
        return result.rows as R[];
      } finally {
        client.release();
      }
    },
    async transaction(statements: Statement[], queryOptions?: QueryOptions) {
      let client;
      try {
        await warm;
        client = await pool.connect();
      } catch (error) {
        throw toDbError(error, options.label);
      }
      const connection = client;
      // The server may end the connection between two statements (idle_in_transaction_session_timeout,
      // after this process froze): the next statement fails with it, instead of an unhandled
      // 'error' event killing the process; the broken client is discarded, not pooled.
      let broken: Error | undefined;
      const onError = (error: Error) => {
        broken = error;
      };
      connection.on('error', onError);
      try {
        const token = carry ? queryOptions?.sessionToken : undefined;
        if (token) await carrySession(connection, token);
        await timed('BEGIN', () => connection.query('BEGIN'));
        const results: Row[][] = [];
        for (const statement of statements) {
          const result = await timed(firstWords(statement.text), () => connection.query(statement.text, statement.values ?? []));
          results.push(result.rows);
        }
        await timed('COMMIT', () => connection.query('COMMIT'));
        return results;
      } catch (error) {
        if (!broken) await connection.query('ROLLBACK').catch(() => undefined);
        throw broken ? toDbError(broken, options.label) : error;
      } finally {
        connection.off('error', onError);
        connection.release(broken);
      }
    },
    async close() {
      await pool.end().catch(() => undefined);
    },
  };
  return db;
}
