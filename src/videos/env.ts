import type { Session } from '../auth/session.js';
import type { UserKey } from '../config/store.js';
import type { Db } from '../db/types.js';
import type { Logger } from '../output/logger.js';

/**
 * The plain values the videos features use (a command builds them from its Deps with runEnv,
 * src/cli/run-env.ts); each function takes only the part it reads, so nothing here depends on src/cli.
 */
export interface VideosEnv {
  env: Record<string, string | undefined>;
  cwd: string;
  now: () => Date;
  signal: AbortSignal;
  log: Logger;
  db: () => Promise<Db>;
  session: () => Promise<Session>;
  /** A config value: download-dir, storage-*. */
  setting: (key: UserKey) => string | undefined;
}
