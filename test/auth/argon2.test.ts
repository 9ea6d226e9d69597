import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { argon2id, blake2b, verifyArgon2id } from '../../src/auth/argon2.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('blake2b', () => {
  it('matches RFC 7693 for "abc" at 64 and 32 bytes', () => {
    const abc = new TextEncoder().encode('abc');
    expect(hex(blake2b(abc, 32))).toBe('bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319');
    expect(hex(blake2b(abc, 64))).toBe(createHash('blake2b512').update(abc).digest('hex'));
  });
});

describe('argon2id', () => {
  it('matches the RFC 9106 §5.3 test vector', () => {
    const tag = argon2id({
      password: new Uint8Array(32).fill(1),
      salt: new Uint8Array(16).fill(2),
      secret: new Uint8Array(8).fill(3),
      associatedData: new Uint8Array(12).fill(4),
      memoryKiB: 32,
      passes: 3,
      parallelism: 4,
      tagLength: 32,
    });
    expect(hex(tag)).toBe('0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659');
  });

  it('verifies the reference implementation PHC string for "password"/"somesalt" and rejects others', () => {
    const phc = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    expect(verifyArgon2id(phc, 'password')).toBe(true);
    expect(verifyArgon2id(phc, 'passworD')).toBe(false);
    expect(verifyArgon2id('$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$', 'password')).toBe(false);
    expect(verifyArgon2id('$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', 'password')).toBe(false);
  });

  it('verifies a multi-lane hash (m=65536, t=3, p=4) it computed itself', () => {
    const salt = new TextEncoder().encode('somesalt');
    const tag = argon2id({ password: new TextEncoder().encode('hunter22'), salt, memoryKiB: 65536, passes: 3, parallelism: 4, tagLength: 32 });
    const phc = `$argon2id$v=19$m=65536,t=3,p=4$${Buffer.from(salt).toString('base64').replace(/=+$/, '')}$${Buffer.from(tag).toString('base64').replace(/=+$/, '')}`;
    expect(verifyArgon2id(phc, 'hunter22')).toBe(true);
    expect(verifyArgon2id(phc, 'hunter23')).toBe(false);
  });
});
