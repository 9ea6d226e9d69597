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

/**
 * What the session check needs of a logged-in session. The auth layer's own session carries these
 * (and more); db asks only for them, so db never depends on how a session is loaded.
 */
export interface SessionRef {
  readonly sessionId: string;
  /** SHA-256 of the token, as the sessions table keeps it. */
  readonly tokenHash: string;
  /** Presented with each statement: with members enabled, row-level security reads it. */
  readonly token: string;
}

/**
 * A statement of a session's transaction: checked and numbered like `SessionDb.query`, unless
 * `unchecked` (a lock taken before the checked statements: it runs as written, values and all).
 */
export interface SessionStatement extends Statement {
  unchecked?: boolean;
}

/**
 * The database as one session's user (`db.forSession(ref)`, src/db/connection/authed.ts): each
 * statement carries the session check, and the caller's parameters are `$1`, `$2`, … as written.
 */
export interface SessionDb {
  /** One statement, one round trip; AuthError (exit 4) when the session has ended. */
  query<R extends Row = Row>(sql: string, values?: unknown[]): Promise<R[]>;
  /** All-or-nothing, like `Db.transaction`; AuthError when a checked statement finds no session. */
  transaction(statements: SessionStatement[]): Promise<Row[][]>;
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
  /** The database as this session's user: see `SessionDb`. No round trip of its own. */
  forSession(ref: SessionRef): SessionDb;
  /** Round trips made so far (the bench and tests count them). */
  readonly roundTrips: number;
  close(): Promise<void>;
}
