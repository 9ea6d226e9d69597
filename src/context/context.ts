import type { Session } from '../auth/session.js';
import type { Keyring } from '../auth/token-store.js';
import type { ConfigStore, UserKey } from '../config/store.js';
import type { GlobalOptions, Io } from '../core/io.js';
import type { DatabaseTarget } from '../db/connection/open.js';
import type { Db } from '../db/connection/types.js';
import type { Logger } from '../output/logger.js';
import type { ProgressView } from '../output/progress.js';

/**
 * The process environment a command runs with (OCTO_* knobs, the variable an `api-key-env`
 * profile names, HOME): passed in, never read from `process.env` below the entry point, so a
 * test or a server runs a command with its own.
 */
export type ProcessEnv = Record<string, string | undefined>;

/**
 * Everything a command and the features below it may use, defined once (gh's Factory): plain
 * values, and lazy memoised factories for what costs I/O, so nothing is opened until asked and a
 * test swaps any member. A feature takes a `Pick<Context, …>` of what it reads. The terminal front
 * end builds one per command (src/cli/context.ts); another front end (a server) builds its own.
 */
export interface Context {
  processEnv: ProcessEnv;
  /** Where relative paths (--out, --file, images) are resolved. */
  cwd: string;
  io: Io;
  globals: GlobalOptions;
  /** May we prompt? Only when both stdin and stdout are terminals. */
  interactive: boolean;
  now: () => Date;
  /** Aborted on Ctrl-C / SIGTERM: long waits stop and say how to resume. */
  signal: AbortSignal;
  log: Logger;
  /** The settings file (read once, on first use). */
  config: () => ConfigStore;
  /** One value of the settings file: download-dir, default-profile, default-size, pricing-file, storage-*… */
  setting: (key: UserKey) => string | undefined;
  /** Which database this command uses (no I/O). */
  databaseTarget: () => DatabaseTarget;
  /** The opened database; callers never close it, whoever made the context does (`dispose`). */
  db: () => Promise<Db>;
  /**
   * The logged-in user, checked locally (JWT signature and expiry; no round trip). Queries
   * confirm the session row themselves.
   */
  session: () => Promise<Session>;
  /** The OS keyring (loaded on first use; undefined when there is none or OCTO_KEYRING=off). */
  keyring: () => Promise<Keyring | undefined>;
  /**
   * How a run shows its progress, when not on the terminal's stderr (src/output/progress.ts, the
   * default): the MCP server sends it to the client as progress notifications.
   */
  progress?: (o: { single: boolean }) => Promise<ProgressView>;
  /** Closes whatever the factories opened. */
  dispose: () => Promise<void>;
}
