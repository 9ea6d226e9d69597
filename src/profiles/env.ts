import type { Prompter } from '../auth/input.js';
import type { Session } from '../auth/session.js';
import type { UserKey } from '../config/store.js';
import type { GlobalOptions } from '../core/io.js';
import type { Db } from '../db/connection/types.js';
import type { Logger } from '../output/logger.js';

/**
 * The plain values the profile commands' work uses (prompts, the check request, the database): a
 * command builds them from its Deps with runEnv (src/cli/run-env.ts); each function takes only the
 * part it reads, so nothing here depends on src/cli.
 */
export interface ProfilesEnv extends Prompter {
  env: Record<string, string | undefined>;
  log: Logger;
  db: () => Promise<Db>;
  session: () => Promise<Session>;
  /** --profile / OCTO_PROFILE. */
  globals: Pick<GlobalOptions, 'profile'>;
  /** A config value: default-profile. */
  setting: (key: UserKey) => string | undefined;
}

/** What the one check request reads. */
export type ProfileCheckEnv = Pick<ProfilesEnv, 'env' | 'log' | 'signal'>;
/** What reading and changing stored profiles reads. */
export type ProfileDataEnv = Pick<ProfilesEnv, 'db' | 'session'>;
