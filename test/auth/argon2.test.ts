import { describe, expect, it } from 'vitest';
import { argon2id, verifyArgon2id } from '../../src/auth/argon2.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
const utf8 = (text: string) => new TextEncoder().encode(text);
const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/**
 * Argon2id v=0x13 vectors of the reference implementation (phc-winner-argon2, src/test.c), which
 * RFC 9106 specifies. The RFC's own §5.3 vector uses associated data, which hash-wasm (and the
 * PHC strings octo reads) cannot carry, so it cannot be checked here.
 */
const REFERENCE: [passes: number, logMemory: number, parallelism: number, password: string, salt: string, tag: string][] = [
  [2, 16, 1, 'password', 'somesalt', '09316115d5cf24ed5a15a31a3ba326e5cf32edc24702987c02b6566f61913cf7'],
  [2, 8, 1, 'password', 'somesalt', '9dfeb910e80bad0311fee20f9c0e2b12c17987b4cac90c2ef54d5b3021c68bfe'],
  [2, 8, 2, 'password', 'somesalt', '6d093c501fd5999645e0ea3bf620d7b8be7fd2db59c20d9fff9539da2bf57037'],
  [1, 16, 1, 'password', 'somesalt', 'f6a5adc1ba723dddef9b5ac1d464e180fcd9dffc9d1cbf76cca2fed795d9ca98'],
  [2, 16, 1, 'differentpassword', 'somesalt', '0b84d652cf6b0c4beaef0dfe278ba6a80df6696281d7e0d2891b817d8c458fde'],
  [2, 16, 1, 'password', 'diffsalt', 'bdf32b05ccc42eb15d58fd19b1f856b113da1e9a5874fdcc544308565aa8141c'],
];

describe('argon2id', () => {
  it.each(REFERENCE)('matches the reference vector t=%i m=2^%i p=%i %s/%s', async (passes, logMemory, parallelism, password, salt, tag) => {
    const computed = await argon2id({ password: utf8(password), salt: utf8(salt), memoryKiB: 2 ** logMemory, passes, parallelism, tagLength: 32 });
    expect(hex(computed)).toBe(tag);
    const phc = `$argon2id$v=19$m=${2 ** logMemory},t=${passes},p=${parallelism}$${b64(utf8(salt))}$${b64(Buffer.from(tag, 'hex'))}`;
    expect(await verifyArgon2id(phc, password)).toBe(true);
  });

  it('verifies the reference implementation PHC string for "password"/"somesalt" and rejects others', async () => {
    const phc = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    expect(await verifyArgon2id(phc, 'password')).toBe(true);
    expect(await verifyArgon2id(phc, 'passworD')).toBe(false);
    expect(await verifyArgon2id('$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$', 'password')).toBe(false);
    expect(await verifyArgon2id('$argon2i$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', 'password')).toBe(false);
    expect(await verifyArgon2id('$argon2id$v=16$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', 'password')).toBe(false);
    // Parameters that would take minutes or gigabytes are refused, not computed.
    expect(await verifyArgon2id('$argon2id$v=19$m=4194304,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc', 'password')).toBe(false);
  });

  it('verifies a multi-lane hash (m=65536, t=3, p=4) it computed itself', async () => {
    const salt = utf8('somesalt');
    const tag = await argon2id({ password: utf8('hunter22'), salt, memoryKiB: 65536, passes: 3, parallelism: 4, tagLength: 32 });
    const phc = `$argon2id$v=19$m=65536,t=3,p=4$${b64(salt)}$${b64(tag)}`;
    expect(await verifyArgon2id(phc, 'hunter22')).toBe(true);
    expect(await verifyArgon2id(phc, 'hunter23')).toBe(false);
  });

  it('does not hold the event loop for seconds while verifying (the hand-written one took 1.4-2.3 s)', async () => {
    const phc = '$argon2id$v=19$m=65536,t=2,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc';
    let last = performance.now();
    let longest = 0;
    const timer = setInterval(() => {
      const t = performance.now();
      longest = Math.max(longest, t - last);
      last = t;
    }, 5);
    try {
      const started = performance.now();
      expect(await verifyArgon2id(phc, 'password')).toBe(true);
      longest = Math.max(longest, performance.now() - Math.max(last, started));
    } finally {
      clearInterval(timer);
    }
    expect(longest).toBeLessThan(250);
  });
});
