import type { Session } from '../auth/session.js';
import type { UserKey } from '../config/store.js';
import type { GlobalOptions, Io } from '../core/io.js';
import type { Db } from '../db/connection/types.js';
import type { Logger } from '../output/logger.js';

/**
 * What generate and jobs wait work with: plain values (cwd, environment, clock, signal, the
 * terminal, settings) and the two lazy handles (database, session), so nothing below the command
 * layer depends on src/cli. `runEnv` (src/cli/run-env.ts) makes one from a command's Deps.
 */
export interface RunEnv {
  env: Record<string, string | undefined>;
  cwd: string;
  io: Io;
  globals: GlobalOptions;
  now: () => Date;
  signal: AbortSignal;
  log: Logger;
  db: () => Promise<Db>;
  session: () => Promise<Session>;
  /** A config value: download-dir, default-profile, default-size, default-seconds, pricing-file, storage-*. */
  setting: (key: UserKey) => string | undefined;
}
