/** The one query interface that hides the three drivers (Neon over HTTP, node-postgres, embedded PGlite). */

export type Row = Record<string, unknown>;

export interface Statement {
  text: string;
  values?: unknown[];
}

/**
 * Per statement: the session token the statement runs as. With members enabled (`octo db members
 * enable`), row-level security reads it (`set_config('octo.token', …)`) and the database matches
 * it against the sessions table itself; for the owner it changes nothing.
 */
export interface QueryOptions {
  sessionToken?: string;
}

export type DriverName = 'pg' | 'neon' | 'embedded' | 'pglite';

export interface Db {
  readonly driver: DriverName;
  /** Host name, or "embedded": safe to print (never a password). */
  readonly label: string;
  /** Identity of the database for the token cache (no password). */
  readonly key: string;
  /** One statement, one round trip. */
  query<R extends Row = Row>(text: string, values?: unknown[], options?: QueryOptions): Promise<R[]>;
  /** All-or-nothing; one round trip where the driver can (Neon), else BEGIN … COMMIT. */
  transaction(statements: Statement[], options?: QueryOptions): Promise<Row[][]>;
  /** Round trips made so far (the bench and tests count them). */
  readonly roundTrips: number;
  close(): Promise<void>;
}
