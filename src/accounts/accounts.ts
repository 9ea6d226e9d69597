import { randomUUID } from 'node:crypto';
import { arch, platform } from 'node:os';
import { AuthError, FailureError, UsageError } from '../core/errors.js';
import { octoVersion } from '../core/version.js';
import { targetKey, targetLabel } from '../db/connection/open.js';
import { deleteAllSessions, deleteSession, insertSession, readWhoami } from '../db/tables/sessions.js';
import type { Db } from '../db/connection/types.js';
import { changePassword, createUser, findUserForLogin, readOwnPasswordHash, recordLoginFailure } from '../db/tables/users.js';
import type { Context } from '../context/context.js';
import { askSecret, askText, readStdin, type Prompter } from '../auth/input.js';
import { isMemberRefusal, loginAsMember, passwdAsMember, signupAsMember, WRONG_CREDENTIALS, wrongHint, type MemberLoggedIn } from './member-accounts.js';
import { checkPasswordLength, checkPasswordRules, hashPassword, normalizeEmail, verifyPassword } from '../auth/password.js';
import { hashToken, signToken, verifyToken } from '../auth/token.js';
import { cachedToken, dropToken, keyringAccount, saveLogin } from '../auth/token-store.js';
import { timeUntil } from '../output/format.js';
import { sleep } from '../sora/sleep.js';

/**
 * Accounts: signup, login, logout, whoami, passwd as `(ctx, options) → data`. The command
 * files only wire flags to these. Round trips: login and signup 2, whoami 1, logout 1,
 * passwd 2 (read the hash, then one transaction).
 */

export interface Credentials {
  email?: string;
  name?: string;
  /** Read the password from stdin instead of prompting. */
  passwordStdin?: boolean;
}

export interface LoggedIn {
  id: string;
  email: string;
  name: string | null;
  session_expires_at: Date;
  database: string;
  /** Set when an argon2 hash from the web app was replaced by bcrypt. */
  password_upgraded?: boolean;
}

export function userAgent(): string {
  return `octo/${octoVersion()} (node ${process.versions.node}; ${platform()} ${arch()})`;
}

/** login/logout act on the cached token; with OCTO_TOKEN set they would not. */
function refuseWithEnvToken(ctx: Pick<Context, 'processEnv'>, command: string): void {
  if (ctx.processEnv.OCTO_TOKEN?.trim()) {
    throw new UsageError(`OCTO_TOKEN is set, so octo uses that token and ${command} would change nothing`, {
      hint: `unset OCTO_TOKEN to ${command} with the cached session`,
    });
  }
}

async function readEmail(ctx: Prompter, given: string | undefined): Promise<string> {
  return normalizeEmail(given ?? (await askText(ctx, 'Email', '--email')));
}

async function readPassword(ctx: Prompter & Pick<Context, 'log'>, fromStdin: boolean | undefined, confirm: boolean): Promise<string> {
  if (fromStdin) {
    const password = await readStdin(ctx);
    if (!password) throw new UsageError('--password-stdin: nothing was read from stdin');
    return password;
  }
  if (!confirm) return askSecret(ctx, 'Password', '--password-stdin');
  // A new password: a short one is asked again (the prompt says why), and so are two that differ.
  const rules = (value: string) => {
    try {
      checkPasswordRules(value);
      return true;
    } catch (error) {
      return (error as Error).message;
    }
  };
  for (let attempt = 1; ; attempt += 1) {
    const password = await askSecret(ctx, 'Password', '--password-stdin', rules);
    const again = await askSecret(ctx, 'Password again', '--password-stdin');
    if (again === password) return password;
    if (attempt === 3) throw new UsageError('the two passwords differ');
    ctx.log.warn('the two passwords differ; once more');
  }
}

function jwtSecretFor(ctx: Pick<Context, 'processEnv'>, fromDb: string | null): string {
  const secret = ctx.processEnv.OCTO_JWT_SECRET || fromDb;
  if (!secret) {
    throw new FailureError('this database has no JWT secret yet', { hint: 'run: octo db migrate (or set OCTO_JWT_SECRET)' });
  }
  return secret;
}

/** Signs a token, records the session (upgrading the hash if asked) and caches the token. */
async function startSession(
  ctx: Pick<Context, 'processEnv' | 'now' | 'log' | 'config' | 'databaseTarget' | 'keyring'>,
  db: Db,
  user: { id: string; email: string },
  secret: string,
  upgrade?: { from: string; to: string },
): Promise<{ expiresAt: Date; upgraded: boolean }> {
  const sessionId = randomUUID();
  const { token, expiresAt } = await signToken({ userId: user.id, sessionId, email: user.email }, secret, ctx.now());
  const key = targetKey(ctx.databaseTarget());
  const { upgraded } = await insertSession(
    db,
    { id: sessionId, userId: user.id, email: user.email, tokenHash: hashToken(token), expiresAt, userAgent: userAgent() },
    upgrade,
    await previousSession(ctx, key),
  );
  const kept = await saveLogin(
    ctx.config(),
    key,
    {
      token,
      // With OCTO_JWT_SECRET the secret stays in the environment, not in the file.
      jwtSecret: ctx.processEnv.OCTO_JWT_SECRET ? undefined : secret,
      email: user.email,
      expiresAt: expiresAt.toISOString(),
    },
    await ctx.keyring().catch(() => undefined),
  );
  ctx.log.debug(`token kept in the ${kept.store === 'keyring' ? 'OS keyring' : `config file (keyring: ${kept.reason})`}`);
  return { expiresAt, upgraded };
}

/** The session this config held for the database, to end when a new login replaces it. */
async function previousSession(
  ctx: Pick<Context, 'config' | 'keyring'>,
  key: string,
): Promise<{ sessionId: string; tokenHash: string; token: string } | undefined> {
  const cached = ctx.config().session(key);
  const token = cached && (await cachedToken(cached, keyringAccount(ctx.config(), key), ctx.keyring));
  if (!token) return undefined;
  try {
    const claims = await verifyToken(token, undefined, new Date(0));
    return /^[0-9a-f-]{36}$/i.test(claims.sessionId) ? { sessionId: claims.sessionId, tokenHash: hashToken(token), token } : undefined;
  } catch {
    return undefined;
  }
}

/** What signup and login read: the prompts, the environment (OCTO_TOKEN, OCTO_JWT_SECRET), the clock, the database and where the token is kept. */
type AccountsContext = Pick<Context, 'io' | 'interactive' | 'signal' | 'processEnv' | 'log' | 'now' | 'db' | 'config' | 'databaseTarget' | 'keyring'>;

export async function signup(ctx: AccountsContext, options: Credentials): Promise<LoggedIn> {
  refuseWithEnvToken(ctx, 'signup');
  const email = await readEmail(ctx, options.email);
  const name = (options.name ?? (ctx.interactive ? await askText(ctx, 'Name', '--name', { required: false }) : '')).trim() || null;
  const password = await readPassword(ctx, options.passwordStdin, true);
  checkPasswordRules(password);
  const passwordHash = await hashPassword(password);
  const db = await ctx.db();
  let user;
  try {
    user = await createUser(db, { email, name, passwordHash });
  } catch (error) {
    if (!isMemberRefusal(error)) throw error;
    return saveMemberSession(ctx, await signupAsMember(db, { email, name, password, userAgent: userAgent(), now: () => ctx.now() }));
  }
  const { expiresAt } = await startSession(ctx, db, user, jwtSecretFor(ctx, user.jwt_secret));
  return { id: user.id, email: user.email, name: user.name, session_expires_at: expiresAt, database: targetLabel(ctx.databaseTarget()) };
}

/** Member mode: the database signed the token with its own secret, which a member never holds. */
async function saveMemberSession(ctx: Pick<Context, 'config' | 'databaseTarget' | 'keyring'>, user: MemberLoggedIn): Promise<LoggedIn> {
  await saveLogin(
    ctx.config(),
    targetKey(ctx.databaseTarget()),
    { token: user.token, email: user.email, expiresAt: user.expiresAt.toISOString() },
    await ctx.keyring().catch(() => undefined),
  );
  return { id: user.id, email: user.email, name: user.name, session_expires_at: user.expiresAt, database: targetLabel(ctx.databaseTarget()) };
}

/**
 * Failed logins slow an email's next attempts down (at most 30 s), on Postgres and Neon. Not on
 * the embedded database: whoever can reach it can read its files, so a delay protects nothing and
 * would only keep its owner out.
 */
const throttles = (db: Db): boolean => db.driver !== 'embedded' && db.driver !== 'pglite';

/** The owner's way: the attempt waits here until the database says it may be checked. */
async function waitForCheck(ctx: Pick<Context, 'log' | 'now' | 'signal'>, until: Date): Promise<void> {
  const ms = until.getTime() - ctx.now().getTime();
  if (ms <= 0) return;
  ctx.log.info(`Failed logins slow this email down: checking the password in ${timeUntil(until, ctx.now())}…`);
  await sleep(Math.min(ms, 30_000), ctx.signal);
}

/** A member's attempt waits inside the database; say so when it does. */
async function sayingWhileSlow<T>(ctx: Pick<Context, 'log'>, work: Promise<T>): Promise<T> {
  const timer = setTimeout(() => ctx.log.info('Failed logins slow this email down: the database checks the password within 30 s…'), 1_500);
  try {
    return await work;
  } finally {
    clearTimeout(timer);
  }
}

export async function login(ctx: AccountsContext, options: Credentials): Promise<LoggedIn> {
  refuseWithEnvToken(ctx, 'login');
  const email = await readEmail(ctx, options.email);
  const password = await readPassword(ctx, options.passwordStdin, false);
  checkPasswordLength(password);
  const db = await ctx.db();
  const throttled = throttles(db);
  let row;
  try {
    row = await findUserForLogin(db, email, throttled);
  } catch (error) {
    if (!isMemberRefusal(error)) throw error;
    const presented = (await previousSession(ctx, targetKey(ctx.databaseTarget())))?.token;
    const attempt = loginAsMember(db, { email, password, userAgent: userAgent(), presented, now: () => ctx.now() });
    return saveMemberSession(ctx, await sayingWhileSlow(ctx, attempt));
  }
  // Checked after the wait it found, whatever failures arrive meanwhile: the right password gets in.
  if (row.held_until) await waitForCheck(ctx, new Date(row.held_until));
  const check = await verifyPassword(password, row.id ? row.password_hash : undefined);
  if (!check.ok || !row.id || !row.email || !row.password_hash) {
    const nextCheck = throttled ? await recordLoginFailure(db, email) : null;
    throw new AuthError(WRONG_CREDENTIALS, { hint: wrongHint(nextCheck, ctx.now()) });
  }
  const secret = jwtSecretFor(ctx, row.jwt_secret);
  const upgrade = check.needsUpgrade ? { from: row.password_hash, to: await hashPassword(password) } : undefined;
  const { expiresAt, upgraded } = await startSession(ctx, db, { id: row.id, email: row.email }, secret, upgrade);
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    session_expires_at: expiresAt,
    database: targetLabel(ctx.databaseTarget()),
    ...(upgraded ? { password_upgraded: true } : {}),
  };
}

export interface LogoutResult {
  logged_out: boolean;
  /** Sessions ended in the database (0 when this one had already ended). */
  sessions_ended: number;
  database: string;
}

/**
 * Ends this session (or all of the user's with `all`) and forgets the cached token. A token that
 * no longer verifies, or whose session already ended, is forgotten all the same. When the
 * database cannot be reached the token is KEPT and the command fails (exit 1): forgetting it
 * would leave a session valid for days that nobody can end any more; run logout again later.
 */
export async function logout(
  ctx: Pick<Context, 'processEnv' | 'db' | 'config' | 'databaseTarget' | 'keyring'>,
  options: { all?: boolean },
): Promise<LogoutResult> {
  refuseWithEnvToken(ctx, 'logout');
  const key = targetKey(ctx.databaseTarget());
  const database = targetLabel(ctx.databaseTarget());
  const cached = ctx.config().session(key);
  if (!cached) return { logged_out: false, sessions_ended: 0, database };
  const account = keyringAccount(ctx.config(), key);
  const token = await cachedToken(cached, account, ctx.keyring);
  let ended = 0;
  try {
    if (!token) throw new AuthError('the cached token cannot be read');
    // The signature is not checked here: the database matches the token's hash anyway.
    const claims = await verifyToken(token, undefined, new Date(0));
    const session = { ...claims, token, tokenHash: hashToken(token), source: 'config' as const };
    const db = await ctx.db();
    ended = options.all ? await deleteAllSessions(db, session) : (await deleteSession(db, session)) ? 1 : 0;
  } catch (error) {
    if (!(error instanceof AuthError)) {
      throw new FailureError(`could not end the session in ${database}: ${error instanceof Error ? error.message : String(error)}`, {
        hint: 'the token is kept, so the session can still be ended: run octo logout again when the database is reachable',
        cause: error,
      });
    }
  }
  if (cached.store === 'keyring') await dropToken(await ctx.keyring().catch(() => undefined), account);
  await ctx.config().clearSession(key);
  return { logged_out: true, sessions_ended: ended, database };
}

export interface Whoami {
  id: string;
  email: string;
  name: string | null;
  session_expires_at: Date;
  database: string;
  /** Where the token was read from: the OCTO_TOKEN variable, the OS keyring or the config file. */
  token_source: 'OCTO_TOKEN' | 'config' | 'keyring';
}

export async function whoami(ctx: Pick<Context, 'db' | 'session' | 'databaseTarget'>): Promise<Whoami> {
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  const row = await readWhoami(db, session);
  if (!row) throw new AuthError('your session has expired or was revoked');
  return { ...row, database: targetLabel(ctx.databaseTarget()), token_source: session.source };
}

export interface PasswdOptions {
  /** stdin holds the current password on the first line and the new one on the second. */
  passwordStdin?: boolean;
}

export async function passwd(ctx: Prompter & Pick<Context, 'db' | 'session' | 'now'>, options: PasswdOptions): Promise<{ sessions_ended: number }> {
  let current: string;
  let next: string;
  if (options.passwordStdin) {
    const lines = (await readStdin(ctx)).split(/\r?\n/);
    const [first, second] = lines;
    if (lines.length !== 2 || first === undefined || second === undefined) {
      throw new UsageError('--password-stdin: expected two lines, the current password then the new one');
    }
    [current, next] = [first, second];
  } else {
    current = await askSecret(ctx, 'Current password', '--password-stdin');
    next = await askSecret(ctx, 'New password', '--password-stdin');
    checkPasswordRules(next);
    if ((await askSecret(ctx, 'New password again', '--password-stdin')) !== next) throw new UsageError('the two passwords differ');
  }
  checkPasswordRules(next);
  const [session, db] = await Promise.all([ctx.session(), ctx.db()]);
  let user;
  try {
    user = await readOwnPasswordHash(db, session);
  } catch (error) {
    if (!isMemberRefusal(error)) throw error;
    return { sessions_ended: await passwdAsMember(db, session, current, next, () => ctx.now()) };
  }
  const check = await verifyPassword(current, user.password_hash);
  if (!check.ok) throw new AuthError('the current password is wrong', { hint: undefined });
  const result = await changePassword(db, session, await hashPassword(next));
  if (!result.ok) throw new AuthError('your session has expired or was revoked');
  return { sessions_ended: result.endedSessions };
}
