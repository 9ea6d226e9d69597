import type { Db, SessionRef } from '../connection/types.js';

/** Sessions: a row per login (SHA-256 of the token, expiry, user agent). */

/**
 * Records a login; when `upgrade` is given, the user's argon2 hash is replaced by the bcrypt one
 * in the same statement (only if it is still the hash that was verified), and the session this
 * machine held before (`replaces`) ends, so logging in again leaves no orphan row, and the email's
 * failed logins are forgotten. One round trip.
 */
export async function insertSession(
  db: Db,
  row: { id: string; userId: string; email: string; tokenHash: string; expiresAt: Date; userAgent: string },
  upgrade?: { from: string; to: string },
  replaces?: { sessionId: string; tokenHash: string },
): Promise<{ upgraded: boolean }> {
  const [result] = await db.query<{ upgraded: number }>(
    `WITH s AS (
       INSERT INTO sessions (id, user_id, token_hash, expires_at, user_agent) VALUES ($1::uuid, $2::uuid, $3, $4, $5) RETURNING id
     ), up AS (
       UPDATE users SET password_hash = $6, updated_at = NOW()
       WHERE id = $2::uuid AND $6::text IS NOT NULL AND password_hash = $7 RETURNING id
     ), old AS (
       DELETE FROM sessions WHERE id = $8::uuid AND token_hash = $9 RETURNING id
     ), cleared AS (
       DELETE FROM octo_login_failures WHERE email = lower($10) RETURNING 1
     )
     SELECT (SELECT count(*) FROM old) AS replaced, (SELECT count(*) FROM s) AS made, (SELECT count(*) FROM up) AS upgraded`,
    [
      row.id,
      row.userId,
      row.tokenHash,
      row.expiresAt,
      row.userAgent,
      upgrade?.to ?? null,
      upgrade?.from ?? null,
      replaces?.sessionId ?? null,
      replaces?.tokenHash ?? null,
      row.email,
    ],
  );
  return { upgraded: Number(result?.upgraded ?? 0) > 0 };
}

/** Ends this session (logout). Returns false when it had already ended. */
export async function deleteSession(db: Db, session: SessionRef): Promise<boolean> {
  const rows = await db.query('DELETE FROM sessions WHERE id = $1::uuid AND token_hash = $2 RETURNING id', [session.sessionId, session.tokenHash], {
    sessionToken: session.token,
  });
  return rows.length > 0;
}

/** Ends every session of the session's user (logout --all); AuthError if this one had ended. */
export async function deleteAllSessions(db: Db, session: SessionRef): Promise<number> {
  const rows = await db.forSession(session).query('DELETE FROM sessions WHERE user_id = (SELECT user_id FROM auth) RETURNING id');
  return rows.length;
}

export interface WhoamiRow {
  id: string;
  email: string;
  name: string | null;
  session_expires_at: Date;
}

/** The session's user and session expiry: the session check and the read in one round trip. */
export async function readWhoami(db: Db, session: SessionRef): Promise<WhoamiRow | undefined> {
  const [row] = await db.forSession(session).query<WhoamiRow & Record<string, unknown>>(
    `SELECT u.id, u.email, u.name, s.expires_at AS session_expires_at
     FROM users u JOIN sessions s ON s.id = $1::uuid AND s.user_id = u.id
     WHERE u.id = (SELECT user_id FROM auth)`,
    [session.sessionId],
  );
  return row;
}
