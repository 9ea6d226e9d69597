import type { Db, SessionRef } from '../connection/types.js';

/**
 * Accounts through a member role (scripts/migrations/061_members.sql): the password is checked
 * and the session written inside the database by SECURITY DEFINER functions, which answer with a
 * status instead of raising (a failed login must still be recorded). One round trip each.
 */

export interface MemberSessionRow {
  status: string;
  session_token: string | null;
  session_expires_at: Date | null;
  user_id: string | null;
  user_email: string | null;
  user_name: string | null;
  held_until?: Date | null;
}

/** `presented`: the token this machine held (its session ends when the new one starts). */
export async function memberLogin(db: Db, input: { email: string; password: string; userAgent: string; presented?: string }): Promise<MemberSessionRow> {
  const [row] = await db.query<MemberSessionRow & Record<string, unknown>>(
    'SELECT * FROM octo_login($1, $2, $3)',
    [input.email, input.password, input.userAgent],
    { sessionToken: input.presented },
  );
  return row as MemberSessionRow;
}

export async function memberSignup(db: Db, input: { email: string; name: string | null; password: string; userAgent: string }): Promise<MemberSessionRow> {
  const [row] = await db.query<MemberSessionRow & Record<string, unknown>>('SELECT * FROM octo_signup($1, $2, $3, $4)', [
    input.email,
    input.name,
    input.password,
    input.userAgent,
  ]);
  return row as MemberSessionRow;
}

/** passwd as the session the statement carries; ends every other session of the user. */
export async function memberPasswd(
  db: Db,
  session: Pick<SessionRef, 'token'>,
  current: string,
  next: string,
): Promise<{ status: string; sessions_ended: number; held_until: Date | null }> {
  const [row] = await db.query<{ status: string; sessions_ended: number; held_until: Date | null }>('SELECT * FROM octo_passwd($1, $2)', [current, next], {
    sessionToken: session.token,
  });
  return row ?? { status: 'no_session', sessions_ended: 0, held_until: null };
}
