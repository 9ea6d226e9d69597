import { createHash } from 'node:crypto';
import { AuthError } from '../cli/errors.js';

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

/**
 * Checks a token locally. With the secret: signature, issuer and expiry. Without it (OCTO_TOKEN
 * on a machine that never logged in): the expiry only; the database check, which matches the
 * token's SHA-256 against the session row, is what authenticates it then.
 */
export async function verifyToken(token: string, secret: string | undefined, now: Date): Promise<TokenClaims> {
  const jose = await import('jose');
  let payload: Record<string, unknown>;
  try {
    if (secret) {
      const verified = await jose.jwtVerify(token, new TextEncoder().encode(secret), {
        algorithms: ['HS256'],
        issuer: ISSUER,
        currentDate: now,
      });
      payload = verified.payload;
    } else {
      payload = jose.decodeJwt(token);
    }
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ERR_JWT_EXPIRED') throw new AuthError('your session has expired');
    throw invalid(code === 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED' ? 'bad signature' : 'malformed token');
  }
  const exp = typeof payload.exp === 'number' ? payload.exp : 0;
  if (exp * 1000 <= now.getTime()) throw new AuthError('your session has expired');
  const userId = (payload.userId ?? payload.sub) as string | undefined;
  const sessionId = payload.sid as string | undefined;
  if (!userId || !sessionId) throw invalid('missing claims');
  return { userId, sessionId, email: String(payload.email ?? ''), expiresAt: new Date(exp * 1000) };
}
