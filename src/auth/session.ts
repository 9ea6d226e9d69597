import { AuthError } from '../core/errors.js';
import type { ConfigStore } from '../config/store.js';
import { hashToken, verifyToken, type TokenClaims } from './token.js';
import { cachedToken, keyringAccount, type Keyring } from './token-store.js';

/** The logged-in user as the local check sees it; the database confirms it in each query. */
export interface Session extends TokenClaims {
  /** The token itself: each statement presents it to the database (member mode). */
  token: string;
  tokenHash: string;
  /** Where the token came from: shown by `whoami`. */
  source: 'OCTO_TOKEN' | 'config' | 'keyring';
}

/**
 * Finds the token (OCTO_TOKEN, else the one cached for this database) and checks it locally:
 * no database round trip. Commands then fold the session row check into their own query
 * (`src/db/connection/authed.ts`).
 */
export async function loadSession(input: {
  env: Record<string, string | undefined>;
  config: ConfigStore;
  databaseKey: string;
  now: Date;
  /** The OS keyring, asked only when the cached session says the token is there. */
  keyring: () => Promise<Keyring | undefined>;
}): Promise<Session> {
  const cached = input.config.session(input.databaseKey);
  const fromEnv = input.env.OCTO_TOKEN?.trim();
  const token = fromEnv || (cached && (await cachedToken(cached, keyringAccount(input.config, input.databaseKey), input.keyring)));
  if (!token) {
    throw new AuthError(
      cached?.store === 'keyring' ? 'the token for this database is in the OS keyring, which did not give it back' : 'you are not logged in to this database',
    );
  }
  const secret = input.env.OCTO_JWT_SECRET || cached?.jwtSecret;
  const claims = await verifyToken(token, secret, input.now);
  return { ...claims, token, tokenHash: hashToken(token), source: fromEnv ? 'OCTO_TOKEN' : cached?.store === 'keyring' ? 'keyring' : 'config' };
}
