import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { AnonymousCredential, BlobClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { openBlobStore } from '../../src/storage/blob.js';
import { credentialKind, storageSettings } from '../../src/storage/settings.js';
import { startAzurite, type Azurite } from './azurite.js';

/**
 * Entra ID against Azurite over https with OAuth on (it checks a token's shape, not its
 * signature): uploads with a bearer token, and a private container's link is a user delegation
 * SAS, read-only, that plays with no credential. The token comes from a stand-in credential: no
 * sign-in host and no instance metadata are ever asked.
 */

let dir: string;
let azurite: Azurite;
const OID = '11059fcc-5514-4800-b5f8-49808b9cfab6';
const TID = 'ab1f708d-50f6-404c-a006-d71b2ac7a606';
const scopes: string[] = [];

const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const credential = {
  async getToken(scope: string | string[]) {
    scopes.push(...[scope].flat());
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      aud: 'https://storage.azure.com',
      iss: `https://sts.windows.net/${TID}/`,
      iat: now - 60,
      nbf: now - 60,
      exp: now + 3600,
      oid: OID,
      tid: TID,
    };
    return { token: `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(claims)}.`, expiresOnTimestamp: (now + 3600) * 1000 };
  },
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'octo-azurite-tls-'));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    {
      stdio: 'ignore',
    },
  );
  // The emulator's certificate is self-signed, and it only ever listens on loopback.
  vi.stubEnv('NODE_TLS_REJECT_UNAUTHORIZED', '0');
  azurite = await startAzurite({ cert, key });
  await azurite.createContainer('entra-private');
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await azurite?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('Entra ID credential', () => {
  it('uploads with a bearer token; the link is a read-only user delegation SAS that plays without credentials', async () => {
    const settings = storageSettings({}, (k) => (k === 'storage-url' ? `${azurite.url}/entra-private` : undefined))!;
    expect(credentialKind(settings)).toBe('entra-id');
    const store = await openBlobStore(settings, { entraCredential: async () => credential });
    const bytes = randomBytes(5 * 1024 * 1024 + 7);
    expect(await store.upload('u1/g1/a.mp4', Readable.from([bytes]), 'video/mp4')).toBe(bytes.length);
    expect(scopes).toContain('https://storage.azure.com/.default');

    const link = await store.playableUrl('u1/g1/a.mp4');
    const q = new URL(link.url).searchParams;
    expect(q.get('sp')).toBe('r');
    expect(q.get('skoid')).toBe(OID);
    expect(q.get('sktid')).toBe(TID);
    expect(link.expiresAt!.getTime()).toBeGreaterThan(Date.now() + 6.9 * 86_400_000);
    const got = await new BlobClient(link.url, new AnonymousCredential()).downloadToBuffer();
    expect(got.equals(bytes)).toBe(true);
    await expect(new BlobClient(`${azurite.url}/entra-private/u1/g1/a.mp4`, new AnonymousCredential()).downloadToBuffer()).rejects.toMatchObject({
      statusCode: expect.any(Number),
    });
    // doctor's check, the same way.
    expect(await store.check()).toMatchObject({ public: false });
  });
});
