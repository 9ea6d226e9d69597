import { UsageError } from '../../core/errors.js';
import { ConstraintError } from '../connection/errors.js';
import type { Db, SessionRef } from '../connection/types.js';

/** Users: one function per query, parameterised. Emails arrive trimmed and lower-cased. */

const JWT_SECRET_SQL = `(SELECT value FROM octo_settings WHERE key = 'jwt_secret')`;

export interface LoginRow {
  /** The per-database JWT secret (null when `octo db migrate` never ran on this database). */
  jwt_secret: string | null;
  id: string | null;
  email: string | null;
  name: string | null;
  password_hash: string | null;
  /** Set while failed logins delay this email's next attempt: when it may be checked. */
  held_until: Date | null;
}

/**
 * The user with this email (any case), the database's JWT secret and, when `throttled`, until
 * when failed logins delay the attempt (scripts/migrations/100_login_delays.sql), in one round trip.
 */
export async function findUserForLogin(db: Db, email: string, throttled: boolean): Promise<LoginRow> {
  const [row] = await db.query<LoginRow & Record<string, unknown>>(
    `SELECT ${JWT_SECRET_SQL} AS jwt_secret, ${throttled ? 'octo_login_held_until($1)' : 'NULL::timestamptz'} AS held_until, u.id, u.email, u.name, u.password_hash
     FROM (SELECT 1) AS one
     LEFT JOIN LATERAL (SELECT id, email, name, password_hash FROM users WHERE lower(email) = $1 ORDER BY (email = $1) DESC LIMIT 1) u ON TRUE`,
    [email],
  );
  return row as LoginRow;
}

/** A failed login, counted in the database (so the delays hold across machines): when the next attempt may be checked. */
export async function recordLoginFailure(db: Db, email: string): Promise<Date | null> {
  const [row] = await db.query<{ held_until: Date | null }>('SELECT octo_login_failed($1) AS held_until', [email]);
  return row?.held_until ?? null;
}

export interface CreatedUser {
  id: string;
  email: string;
  name: string | null;
  jwt_secret: string | null;
}

/** Inserts the user and reads the JWT secret in the same round trip. Duplicate email: UsageError. */
export async function createUser(db: Db, user: { email: string; name: string | null; passwordHash: string }): Promise<CreatedUser> {
  try {
    const [row] = await db.query<CreatedUser & Record<string, unknown>>(
      `WITH taken AS (SELECT 1 FROM users WHERE lower(email) = $1),
       made AS (
         INSERT INTO users (email, password_hash, name)
         SELECT $1, $2, $3 WHERE NOT EXISTS (SELECT 1 FROM taken)
         RETURNING id, email, name
       )
       SELECT made.id, made.email, made.name, ${JWT_SECRET_SQL} AS jwt_secret FROM made`,
      [user.email, user.passwordHash, user.name],
    );
    if (!row) throw duplicate(user.email);
    return row;
  } catch (error) {
    if (error instanceof ConstraintError && error.isUniqueViolation) throw duplicate(user.email);
    throw error;
  }
}

const duplicate = (email: string) => new UsageError(`an account with the email ${email} already exists`, { hint: `run: octo login --email ${email}` });

/** The session user's password hash (for passwd), with the session check. */
export async function readOwnPasswordHash(db: Db, session: SessionRef): Promise<{ id: string; email: string; password_hash: string }> {
  const [row] = await db
    .forSession(session)
    .query<{ id: string; email: string; password_hash: string }>('SELECT id, email, password_hash FROM users WHERE id = (SELECT user_id FROM auth)');
  if (!row) throw new UsageError('your account no longer exists');
  return row;
}

/**
 * passwd: the new hash and the end of every other session, in one transaction (both statements
 * carry the session check, so a revoked session changes nothing and is AuthError). Returns how
 * many sessions ended.
 */
export async function changePassword(db: Db, session: SessionRef, passwordHash: string): Promise<{ ok: boolean; endedSessions: number }> {
  const [updated, deleted] = await db.forSession(session).transaction([
    { text: 'UPDATE users SET password_hash = $1, updated_at = NOW() WHERE id = (SELECT user_id FROM auth) RETURNING id', values: [passwordHash] },
    { text: 'DELETE FROM sessions WHERE user_id = (SELECT user_id FROM auth) AND id <> $1::uuid RETURNING id', values: [session.sessionId] },
  ]);
  return { ok: (updated?.length ?? 0) > 0, endedSessions: deleted?.length ?? 0 };
}
