import { UsageError } from '../core/errors.js';
import { isArgon2Hash, verifyArgon2id } from './argon2.js';

/** Passwords: bcrypt with 12 rounds (the web app's rule); argon2id hashes verify and get upgraded. */

export const BCRYPT_ROUNDS = 12;
export const MIN_PASSWORD_LENGTH = 8;
/** bcrypt uses the first 72 bytes and ignores the rest: a longer password is refused, not cut. */
export const MAX_PASSWORD_BYTES = 72;

/** A bcrypt hash of a random string nobody knows: unknown emails are checked against it, so
 * "no such user" takes as long as "wrong password". */
const DUMMY_HASH = '$2b$12$KxJuRO.ha8oU09Xj2iEmjOBldsVWIdlaq2QM/dLmXZIm417qRenZC';

/** The rules for a new password (signup, passwd); the database applies the same in member mode. */
export function checkPasswordRules(password: string): void {
  if (password.trim() === '') throw new UsageError('the password must not be blank');
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new UsageError(`the password must have at least ${MIN_PASSWORD_LENGTH} characters`);
  }
  checkPasswordLength(password);
}

/** Also at login: bcrypt would check only the first 72 bytes, so a different suffix would pass. */
export function checkPasswordLength(password: string): void {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) {
    throw new UsageError(`the password is longer than ${MAX_PASSWORD_BYTES} bytes, which bcrypt cannot check in full`, {
      hint: `use at most ${MAX_PASSWORD_BYTES} bytes (a multi-byte character counts 2 to 4)`,
    });
  }
}

export async function hashPassword(password: string): Promise<string> {
  const { default: bcrypt } = await import('bcryptjs');
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

export interface PasswordCheck {
  ok: boolean;
  /** The stored hash is not bcrypt: store a fresh bcrypt hash now that the password is known. */
  needsUpgrade: boolean;
}

/** Verifies against a stored hash; `undefined` (no such user) is checked against a dummy hash. */
export async function verifyPassword(password: string, stored: string | null | undefined): Promise<PasswordCheck> {
  const { default: bcrypt } = await import('bcryptjs');
  if (!stored) {
    await bcrypt.compare(password, DUMMY_HASH);
    return { ok: false, needsUpgrade: false };
  }
  if (isArgon2Hash(stored)) {
    const ok = await verifyArgon2id(stored, password);
    return { ok, needsUpgrade: ok };
  }
  if (/^\$2[abxy]\$\d\d\$/.test(stored)) {
    return { ok: await bcrypt.compare(password, stored), needsUpgrade: false };
  }
  // Unknown scheme: fail like a wrong password, spending the same time.
  await bcrypt.compare(password, DUMMY_HASH);
  return { ok: false, needsUpgrade: false };
}

export function normalizeEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!/^[^\s@]+@[^\s@]+$/.test(email) || email.length > 255) throw new UsageError(`not a valid email address: ${JSON.stringify(raw.trim())}`);
  return email;
}
