import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AuthError } from '../core/errors.js';

/**
 * Session tokens: HS256 JWTs signed with jose (claims `sub` and `userId` = user id, `sid` =
 * session id, `email`; issuer `octo`), valid 7 days, as the web app makes them.
 */

export const TOKEN_LIFETIME_SECONDS = 7 * 24 * 60 * 60;
export const ISSUER = 'octo';

export interface TokenClaims {
  userId: string;
  sessionId: string;
  email: string;
  expiresAt: Date;
}

/** What the sessions table stores: never the token itself. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function signToken(
  claims: { userId: string; sessionId: string; email: string },
  secret: string,
  now: Date,
): Promise<{ token: string; expiresAt: Date }> {
  const { SignJWT } = await import('jose');
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + TOKEN_LIFETIME_SECONDS) * 1000);
  const token = await new SignJWT({ userId: claims.userId, sid: claims.sessionId, email: claims.email })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.userId)
    .setIssuer(ISSUER)
    .setIssuedAt(issuedAt)
    .setExpirationTime(Math.floor(expiresAt.getTime() / 1000))
    .sign(new TextEncoder().encode(secret));
  return { token, expiresAt };
}

const invalid = (why: string) => new AuthError(`your session is not valid (${why})`);

function decodeSegment(segment: string | undefined): Record<string, unknown> {
  if (!segment) throw invalid('malformed token');
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // fall through
  }
  throw invalid('malformed token');
}

/**
 * Checks a token locally. With the secret: HS256 signature, issuer and expiry. Without it
 * (OCTO_TOKEN on a machine that never logged in): the expiry only; the database check, which
 * matches the token's SHA-256 against the session row, is what authenticates it then.
 *
 * Tokens are signed with jose; this check is node:crypto's HMAC (constant-time compare) because
 * it runs on every command and jose's import would be most of a read command's start-up.
 */
export async function verifyToken(token: string, secret: string | undefined, now: Date): Promise<TokenClaims> {
  const [headerPart, payloadPart, signaturePart, ...extra] = token.split('.');
  if (headerPart === undefined || payloadPart === undefined || signaturePart === undefined || extra.length > 0) throw invalid('malformed token');
  const header = decodeSegment(headerPart);
  const payload = decodeSegment(payloadPart);
  if (header.alg !== 'HS256') throw invalid('unsupported algorithm');
  if (secret) {
    const expected = createHmac('sha256', secret).update(`${headerPart}.${payloadPart}`).digest();
    const given = Buffer.from(signaturePart, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid('bad signature');
    if (payload.iss !== ISSUER) throw invalid('wrong issuer');
  }
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  if (exp * 1000 <= now.getTime()) throw new AuthError('your session has expired');
  const userId = (payload.userId ?? payload.sub) as string | undefined;
  const sessionId = payload.sid as string | undefined;
  if (typeof userId !== 'string' || typeof sessionId !== 'string') throw invalid('missing claims');
  return { userId, sessionId, email: String(payload.email ?? ''), expiresAt: new Date(exp * 1000) };
}
