import { describe, expect, it } from 'vitest';
import { AuthError } from '../../src/core/errors.js';
import { signToken, verifyToken } from '../../src/auth/token.js';

const claims = { userId: '6b2f0c1e-0000-4000-8000-000000000001', sessionId: '6b2f0c1e-0000-4000-8000-000000000002', email: 'a@x.io' };
const now = new Date('2026-11-25T12:00:00Z');

describe('verifyToken (node:crypto) against tokens signed by jose', () => {
  it('accepts a good token and returns its claims', async () => {
    const { token, expiresAt } = await signToken(claims, 'secret-one', now);
    expect(await verifyToken(token, 'secret-one', now)).toEqual({ ...claims, expiresAt });
  });

  it('refuses another secret, a tampered payload, alg none and an expired token', async () => {
    const { token } = await signToken(claims, 'secret-one', now);
    await expect(verifyToken(token, 'secret-two', now)).rejects.toThrow(/bad signature/);
    const [h, p = '', s] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), userId: 'someone-else' })).toString('base64url');
    await expect(verifyToken(`${h}.${forged}.${s}`, 'secret-one', now)).rejects.toThrow(/bad signature/);
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    await expect(verifyToken(`${none}.${p}.`, undefined, now)).rejects.toThrow(/unsupported algorithm/);
    await expect(verifyToken(token, 'secret-one', new Date(now.getTime() + 8 * 86_400_000))).rejects.toThrow(/expired/);
    await expect(verifyToken('not-a-token', 'secret-one', now)).rejects.toBeInstanceOf(AuthError);
  });

  it('without the secret checks only the expiry (the database check authenticates it)', async () => {
    const { token } = await signToken(claims, 'unknown-here', now);
    expect((await verifyToken(token, undefined, now)).userId).toBe(claims.userId);
  });
});
