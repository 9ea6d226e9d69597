import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { dropToken, keepToken, osKeyring } from '../../src/auth/token-store.js';

/**
 * The real native keyring binding, on whatever Node runs the suite (.ci/run runs it on each
 * tested one): it must load where its prebuilt binary is installed, and a token kept through it
 * either comes back from the keyring or falls back to the config file with a reason. A machine
 * without a keyring service (CI, a headless box) answers AccessDenied: the fallback.
 */

const root = join(import.meta.dirname, '..', '..');
/** The prebuilt binary npm installed for this platform (e.g. keyring-linux-x64-gnu), if any. */
const scope = join(root, 'node_modules', '@napi-rs');
const platformPackage = existsSync(scope) ? readdirSync(scope).find((name) => name.startsWith(`keyring-${process.platform}-${process.arch}`)) : undefined;

describe(`the native keyring binding on Node ${process.version}`, () => {
  it('is off when OCTO_KEYRING=off, without loading anything', async () => {
    expect(await osKeyring({ OCTO_KEYRING: 'off' })).toBeUndefined();
  });

  it.runIf(platformPackage !== undefined)(`loads (@napi-rs/${platformPackage}) and keeps a token or falls back to the config file`, async () => {
    const keyring = await osKeyring({});
    expect(keyring).toBeDefined();
    const account = `octo test ${randomUUID()}`;
    const token = `token-${randomUUID()}`;
    try {
      const kept = await keepToken(keyring, account, token);
      if (kept.store === 'keyring') {
        expect(await keyring?.get(account)).toBe(token);
      } else {
        expect(kept).toEqual({ store: 'config', reason: expect.stringMatching(/\S/) });
        expect(kept.reason).not.toContain(token);
      }
    } finally {
      await dropToken(keyring, account);
    }
  });
});
