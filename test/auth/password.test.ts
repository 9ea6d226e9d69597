import { describe, expect, it, vi } from 'vitest';
import { hashPassword, normalizeEmail, verifyPassword } from '../../src/auth/password.js';

describe('passwords', () => {
  it('hashes with bcrypt cost 12 and verifies', async () => {
    const hash = await hashPassword('open sesame 1');
    expect(hash).toMatch(/^\$2[ab]\$12\$/);
    expect(await verifyPassword('open sesame 1', hash)).toEqual({ ok: true, needsUpgrade: false });
    expect(await verifyPassword('open sesame 2', hash)).toEqual({ ok: false, needsUpgrade: false });
  });

  // Not timed (a busy machine makes any ratio flaky): the same work, one bcrypt comparison at the
  // cost new hashes use, whether the user is unknown, the scheme unknown, or the password wrong.
  it('spends as long on an unknown user as on a wrong password: one bcrypt comparison at the same cost', async () => {
    const { default: bcrypt } = await import('bcryptjs');
    const hash = await hashPassword('open sesame 1');
    const compare = vi.spyOn(bcrypt, 'compare');
    try {
      expect(await verifyPassword('wrong guess 1', undefined)).toEqual({ ok: false, needsUpgrade: false });
      expect(await verifyPassword('wrong guess 1', 'not-a-known-scheme')).toEqual({ ok: false, needsUpgrade: false });
      expect(await verifyPassword('wrong guess 1', hash)).toEqual({ ok: false, needsUpgrade: false });
      const costs = compare.mock.calls.map(([, against]) => bcrypt.getRounds(against as string));
      expect(costs).toEqual([bcrypt.getRounds(hash), bcrypt.getRounds(hash), bcrypt.getRounds(hash)]);
    } finally {
      compare.mockRestore();
    }
  });

  it('normalises emails and rejects what is not one', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(() => normalizeEmail('nope')).toThrow(/not a valid email/);
  });
});
