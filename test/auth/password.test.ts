import { describe, expect, it } from 'vitest';
import { hashPassword, normalizeEmail, verifyPassword } from '../../src/auth/password.js';

describe('passwords', () => {
  it('hashes with bcrypt cost 12 and verifies', async () => {
    const hash = await hashPassword('open sesame 1');
    expect(hash).toMatch(/^\$2[ab]\$12\$/);
    expect(await verifyPassword('open sesame 1', hash)).toEqual({ ok: true, needsUpgrade: false });
    expect(await verifyPassword('open sesame 2', hash)).toEqual({ ok: false, needsUpgrade: false });
  });

  it('spends about as long on an unknown user as on a wrong password', async () => {
    const hash = await hashPassword('open sesame 1');
    const time = async (stored: string | undefined) => {
      const started = performance.now();
      await verifyPassword('wrong guess 1', stored);
      return performance.now() - started;
    };
    await time(undefined); // warm up
    // Interleaved, best of four each: a busy machine slows single runs, not the best one.
    const unknowns: number[] = [];
    const wrongs: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      unknowns.push(await time(undefined));
      wrongs.push(await time(hash));
    }
    const unknown = Math.min(...unknowns);
    const wrong = Math.min(...wrongs);
    expect(unknown / wrong).toBeGreaterThan(0.5);
    expect(unknown / wrong).toBeLessThan(2);
  });

  it('normalises emails and rejects what is not one', () => {
    expect(normalizeEmail('  Ada@Example.COM ')).toBe('ada@example.com');
    expect(() => normalizeEmail('nope')).toThrow(/not a valid email/);
  });
});
