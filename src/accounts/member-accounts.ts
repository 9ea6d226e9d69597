import { AuthError, FailureError, UsageError } from '../core/errors.js';
import { memberLogin, memberPasswd, memberSignup, type MemberSessionRow } from '../db/tables/member-accounts.js';
import { PermissionError } from '../db/connection/errors.js';
import type { Db } from '../db/connection/types.js';
import { MAX_PASSWORD_BYTES, MIN_PASSWORD_LENGTH } from '../auth/password.js';
import { timeUntil } from '../output/format.js';

/**
 * Accounts through a member role (`octo db members enable`): the owner's way (read the hash,
 * bcrypt here, insert the session) is refused by Postgres, so the database does it itself. These
 * turn the functions' statuses into octo's errors.
 */

/** Postgres refused the owner's way: this URL is a member role's. */
export const isMemberRefusal = (error: unknown): boolean => error instanceof PermissionError;

export const WRONG_CREDENTIALS = 'wrong email or password';

/** A database from before failed logins only slowed attempts down still refuses them for a while. */
export function heldBack(until: Date, now: Date): AuthError {
  return new AuthError('too many failed logins for this email', { hint: `try again in ${timeUntil(until, now)}` });
}

/** The hint after a wrong password: what the next attempt will wait, if anything. */
export function wrongHint(nextCheck: Date | null | undefined, now: Date): string {
  if (nextCheck && nextCheck.getTime() > now.getTime()) {
    return `failed logins slow this email down: the next attempt waits ${timeUntil(nextCheck, now)} before its password is checked`;
  }
  return 'check them, or create an account: octo signup';
}

const ARGON2 = () =>
  new AuthError("this account's password is still an argon2 hash from Appwrite, which the database cannot check for a member", {
    hint: "finish the migration: log in once through the owner's connection (the Octo web app, or octo with the owner's database URL), which stores a bcrypt hash; then log in here",
  });

function statusError(row: { status: string; held_until?: Date | null }, now: Date): Error {
  switch (row.status) {
    case 'wrong':
      return new AuthError(WRONG_CREDENTIALS, { hint: wrongHint(row.held_until ? new Date(row.held_until) : null, now) });
    case 'held':
      return heldBack(row.held_until ?? now, now);
    case 'argon2':
      return ARGON2();
    case 'too_long':
      return new UsageError(`the password is longer than ${MAX_PASSWORD_BYTES} bytes, which bcrypt cannot check in full`);
    case 'blank':
      return new UsageError('the password must not be blank');
    case 'short':
      return new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
    case 'bad_email':
      return new UsageError('not a valid email address');
    case 'no_session':
      return new AuthError('your session has expired or was revoked');
    default:
      return new FailureError(`the database answered an unexpected status: ${row.status}`);
  }
}

export interface MemberLoggedIn {
  token: string;
  id: string;
  email: string;
  name: string | null;
  expiresAt: Date;
}

/** `now`: read after the database answered (an attempt may have waited there). */
function loggedIn(row: MemberSessionRow, now: Date): MemberLoggedIn {
  if (row.status !== 'ok' || !row.session_token || !row.user_id || !row.user_email || !row.session_expires_at) {
    if (row.status === 'taken') throw new UsageError(`an account with this email already exists`, { hint: 'run: octo login' });
    throw statusError(row, now);
  }
  return { token: row.session_token, id: row.user_id, email: row.user_email, name: row.user_name, expiresAt: new Date(row.session_expires_at) };
}

export async function loginAsMember(
  db: Db,
  input: { email: string; password: string; userAgent: string; presented?: string; now: () => Date },
): Promise<MemberLoggedIn> {
  const row = await memberLogin(db, input);
  return loggedIn(row, input.now());
}

export async function signupAsMember(
  db: Db,
  input: { email: string; name: string | null; password: string; userAgent: string; now: () => Date },
): Promise<MemberLoggedIn> {
  const row = await memberSignup(db, input);
  if (row.status === 'taken') {
    throw new UsageError(`an account with the email ${input.email} already exists`, { hint: `run: octo login --email ${input.email}` });
  }
  return loggedIn(row, input.now());
}

export async function passwdAsMember(db: Db, session: { token: string }, current: string, next: string, now: () => Date): Promise<number> {
  const row = await memberPasswd(db, session, current, next);
  if (row.status === 'wrong') throw new AuthError('the current password is wrong', { hint: undefined });
  if (row.status !== 'ok') throw statusError(row, now());
  return Number(row.sessions_ended);
}
