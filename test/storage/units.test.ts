import { afterEach, describe, expect, it, vi } from 'vitest';
import { UsageError } from '../../src/core/errors.js';
import { parseConnectionString } from '../../src/storage/blob.js';
import { checkStorage } from '../../src/storage/check.js';
import { credentialKind, parseContainerUrl, redactSas, storageSettings } from '../../src/storage/settings.js';
import { assetBlobs, blobSegment } from '../../src/storage/store.js';
import { cliEnv, runCli } from '../support/run-cli.js';

describe('storage settings', () => {
  it('parses Azure host-style and Azurite path-style container URLs, and refuses others', () => {
    expect(parseContainerUrl('https://acct.blob.core.windows.net/videos?sv=1&sig=x')).toEqual({
      containerUrl: 'https://acct.blob.core.windows.net/videos',
      account: 'acct',
      container: 'videos',
    });
    expect(parseContainerUrl('http://127.0.0.1:10000/devstoreaccount1/videos')).toEqual({
      containerUrl: 'http://127.0.0.1:10000/devstoreaccount1/videos',
      account: 'devstoreaccount1',
      container: 'videos',
    });
    for (const bad of [
      'ftp://a/b',
      'not a url',
      'https://acct.blob.core.windows.net/',
      'https://acct.blob.core.windows.net/a/b',
      'http://127.0.0.1:1/onlyaccount',
    ]) {
      expect(() => parseContainerUrl(bad), bad).toThrow(/storage-url/);
    }
  });

  it('refuses http:// unless the host is this machine (a SAS or bearer token would travel in clear)', async () => {
    for (const bad of ['http://example.com/acct/c', 'http://acct.blob.core.windows.net/videos?sv=1&sig=x', 'http://10.0.0.1:10000/devstoreaccount1/c']) {
      expect(() => parseContainerUrl(bad), bad).toThrow(UsageError);
      expect(() => parseContainerUrl(bad), bad).toThrow(/storage-url must use https:\/\//);
      // When used: OCTO_STORAGE_URL is checked the same way.
      expect(() => storageSettings({ OCTO_STORAGE_URL: bad }, () => undefined), bad).toThrow(/storage-url must use https/);
    }
    for (const ok of ['http://localhost:10000/devstoreaccount1/c', 'http://127.0.0.2:1/devstoreaccount1/c', 'http://[::1]:10000/devstoreaccount1/c']) {
      expect(parseContainerUrl(ok).container, ok).toBe('c');
    }
    const env = cliEnv();
    const set = await runCli(['config', 'set', 'storage-url', 'http://example.com/acct/c'], { env });
    expect(set.code, set.stderr).toBe(2);
    expect(set.stderr).toContain('storage-url');
    expect((await runCli(['config', 'get', 'storage-url', '--json'], { env })).stdout).not.toContain('example.com');
  });

  it('OCTO_STORAGE_URL wins over the setting; link days default to 7 and are checked', () => {
    const setting = (values: Record<string, string>) => (k: string) => values[k];
    expect(storageSettings({}, setting({}))).toBeUndefined();
    const s = storageSettings({ OCTO_STORAGE_URL: 'https://env.blob.core.windows.net/c' }, setting({ 'storage-url': 'https://cfg.blob.core.windows.net/c' }));
    expect(s).toMatchObject({ account: 'env', linkDays: 7 });
    expect(storageSettings({}, setting({ 'storage-url': 'https://cfg.blob.core.windows.net/c', 'storage-link-days': '30' }))?.linkDays).toBe(30);
    expect(() => storageSettings({}, setting({ 'storage-url': 'https://cfg.blob.core.windows.net/c', 'storage-link-days': 'x' }))).toThrow(/storage-link-days/);
  });

  it('credentials, first found wins: SAS in the URL, then the connection string, then Entra ID', () => {
    expect(credentialKind({ rawUrl: 'https://a.blob.core.windows.net/c?sv=1&sig=abc', connectionString: 'AccountName=a;AccountKey=k' })).toBe('sas');
    expect(credentialKind({ rawUrl: 'https://a.blob.core.windows.net/c', connectionString: 'AccountName=a;AccountKey=k' })).toBe('connection-string');
    expect(credentialKind({ rawUrl: 'https://a.blob.core.windows.net/c', connectionString: undefined })).toBe('entra-id');
    expect(parseConnectionString('DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k==;EndpointSuffix=core.windows.net')).toEqual({
      account: 'a',
      key: 'k==',
    });
    expect(parseConnectionString('BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=?sv=1&sig=s')).toEqual({ sas: 'sv=1&sig=s' });
    expect(parseConnectionString('UseDevelopmentStorage=true')).toMatchObject({ account: 'devstoreaccount1' });
    expect(() => parseConnectionString('AccountName=a')).toThrow(/AccountKey/);
    expect(redactSas('https://a.blob.core.windows.net/c?sv=1&sig=secret')).toBe('https://a.blob.core.windows.net/c?…');
  });

  it("a service id cannot leave its generation's folder in the container", () => {
    expect(blobSegment('../../other-user/x')).toBe('___.._other-user_x');
    expect(blobSegment('video_68f1-abc.2')).toBe('video_68f1-abc.2');
    expect(assetBlobs('g1', '../evil', 'sora-2').video.rel).toBe('g1/___evil.mp4');
    expect(assetBlobs('g1', 'a', 'sora-1').thumbnail).toEqual({ rel: 'g1/a.jpg', contentType: 'image/jpeg' });
  });
});

describe('Entra ID', () => {
  afterEach(() => vi.unstubAllEnvs());

  it('is used when there is no SAS and no connection string, through DefaultAzureCredential (restricted here so nothing leaves the machine)', async () => {
    // Only the environment credential, with nothing in the environment: it answers "unavailable"
    // at once, never probing the instance-metadata address or a sign-in host.
    vi.stubEnv('AZURE_TOKEN_CREDENTIALS', 'EnvironmentCredential');
    vi.stubEnv('AZURE_CLIENT_ID', '');
    vi.stubEnv('AZURE_TENANT_ID', '');
    vi.stubEnv('AZURE_CLIENT_SECRET', '');
    const s = storageSettings({}, (k) => (k === 'storage-url' ? 'https://127.0.0.1:9/devstoreaccount1/videos' : undefined))!;
    expect(credentialKind(s)).toBe('entra-id');
    const r = await checkStorage(s);
    expect(r.status).toBe('fail');
    expect(r.detail).toContain('credential: entra-id');
    expect(r.detail).toMatch(/EnvironmentCredential is unavailable/);
  });
});
