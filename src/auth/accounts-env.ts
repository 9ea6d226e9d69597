import type { ConfigStore } from '../config/store.js';
import type { DatabaseTarget } from '../db/connection/open.js';
import type { Db } from '../db/connection/types.js';
import type { Logger } from '../output/logger.js';
import type { Prompter } from './input.js';
import type { Session } from './session.js';
import type { Keyring } from './token-store.js';

/**
 * What the account commands' work (src/auth/accounts.ts) uses: the prompts, the environment
 * (OCTO_TOKEN, OCTO_JWT_SECRET), the clock, and the lazy handles to the database, the session,
 * the config store (where the token is cached) and the OS keyring. A command's Deps holds all of
 * them under these names; each function takes only the part it reads, so nothing in src/auth
 * depends on src/cli.
 */
export interface AccountsEnv extends Prompter {
  env: Record<string, string | undefined>;
  log: Logger;
  now: () => Date;
  db: () => Promise<Db>;
  session: () => Promise<Session>;
  config: () => ConfigStore;
  /** Which database (no I/O): the key the token is cached under, and its label. */
  databaseTarget: () => DatabaseTarget;
  keyring: () => Promise<Keyring | undefined>;
}
