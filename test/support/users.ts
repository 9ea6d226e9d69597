import { randomUUID } from 'node:crypto';
import { hashToken, signToken } from '../../src/auth/token.js';
import type { Session } from '../../src/auth/session.js';
import type { Db } from '../../src/db/connection/types.js';
import { firstRow } from './defined.js';

/**
 * A user with a live session, written straight into the database: for tests of commands other
 * than the account ones, which do not need to pay bcrypt for every user.
 */
export async function createUserWithSession(
  db: Db,
  options: { email?: string; secret?: string; now?: Date } = {},
): Promise<{ session: Session; token: string; secret: string; email: string }> {
  const email = options.email ?? `user-${randomUUID().slice(0, 8)}@example.test`;
  const now = options.now ?? new Date();
  const user = firstRow(await db.query<{ id: string }>(`INSERT INTO users (email, password_hash, name) VALUES ($1, 'x', 'Test') RETURNING id`, [email]));
  const setting = firstRow(await db.query<{ value: string }>(`SELECT value FROM octo_settings WHERE key = 'jwt_secret'`));
  const secret = options.secret ?? setting.value;
  const sessionId = randomUUID();
  const { token, expiresAt } = await signToken({ userId: user.id, sessionId, email }, secret, now);
  await db.query(`INSERT INTO sessions (id, user_id, token_hash, expires_at) VALUES ($1, $2, $3, $4)`, [sessionId, user.id, hashToken(token), expiresAt]);
  return {
    session: { userId: user.id, sessionId, email, expiresAt, token, tokenHash: hashToken(token), source: 'OCTO_TOKEN' },
    token,
    secret,
    email,
  };
}
