import { Transform, type Readable } from 'node:stream';
import type { TokenCredential } from '@azure/core-auth';
import {
  AnonymousCredential,
  BlobClient,
  BlobSASPermissions,
  BlobServiceClient,
  ContainerClient,
  SASProtocol,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  newPipeline,
  type RequestPolicyFactory,
  type UserDelegationKey,
} from '@azure/storage-blob';
import { FailureError } from '../core/errors.js';
import { credentialKind, type StorageSettings } from './settings.js';

/**
 * The container, through @azure/storage-blob. Loaded only when storage is configured (the
 * runner and the storage commands import this module on demand), so start-up never pays for it.
 */

export interface BlobStore {
  readonly settings: StorageSettings;
  readonly credential: ReturnType<typeof credentialKind>;
  /** Streams `source` into the blob block by block (a few MiB in memory at most); returns the bytes sent. */
  upload(blobName: string, source: Readable, contentType: string, signal?: AbortSignal): Promise<number>;
  /** Size of the blob, or null when it does not exist. */
  size(blobName: string): Promise<number | null>;
  remove(blobName: string): Promise<void>;
  /** A URL that plays without credentials: plain when the container is public-read, else with a read-only SAS. */
  playableUrl(blobName: string, now?: Date): Promise<{ url: string; expiresAt: Date | null }>;
  /** Does the container answer anonymous reads? (Probed once with `blobName`, then remembered.) */
  isPublic(blobName: string): Promise<boolean>;
  /** `doctor`: writes a small blob, checks that its link plays without credentials, deletes it. */
  check(): Promise<{ public: boolean; bytes: number }>;
}

export interface OpenOptions {
  /** Entra ID credential (default: DefaultAzureCredential, created only when it is the one used). */
  entraCredential?: () => Promise<TokenCredential>;
  /** Attempts per request (the SDK's default is 4, with backoff); `doctor` answers sooner with fewer. */
  maxTries?: number;
}

/** 4 MiB blocks, two in flight: at most ~8 MiB of a video in memory whatever its size. */
const BLOCK_BYTES = 4 * 1024 * 1024;
const BLOCKS_IN_FLIGHT = 2;
const DEV_ACCOUNT = 'devstoreaccount1';
// Azurite's well-known development key (public, documented by Microsoft).
const DEV_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export async function openBlobStore(s: StorageSettings, o: OpenOptions = {}): Promise<BlobStore> {
  const kind = credentialKind(s);
  const options = o.maxTries ? { retryOptions: { maxTries: o.maxTries, tryTimeoutInMs: 15_000 } } : {};
  const pipeline = (credential: AnonymousCredential | StorageSharedKeyCredential | TokenCredential) => {
    const p = newPipeline(credential, options);
    if (s.debug) p.factories.push(debugTimings(s.debug));
    return p;
  };
  let container: ContainerClient;
  let sharedKey: StorageSharedKeyCredential | undefined;
  let entra: TokenCredential | undefined;
  if (kind === 'sas') {
    container = new ContainerClient(s.rawUrl, pipeline(new AnonymousCredential()));
  } else if (kind === 'connection-string') {
    const cs = parseConnectionString(s.connectionString!);
    if ('sas' in cs) {
      container = new ContainerClient(`${s.containerUrl}?${cs.sas}`, pipeline(new AnonymousCredential()));
    } else {
      if (cs.account !== s.account) {
        throw new FailureError(`AZURE_STORAGE_CONNECTION_STRING is for account ${cs.account}, but storage-url names account ${s.account}`);
      }
      sharedKey = new StorageSharedKeyCredential(cs.account, cs.key);
      container = new ContainerClient(s.containerUrl, pipeline(sharedKey));
    }
  } else {
    entra = o.entraCredential ? await o.entraCredential() : await defaultEntraCredential();
    container = new ContainerClient(s.containerUrl, pipeline(entra));
  }
  const anonymous = () => pipeline(new AnonymousCredential());

  const publicByContainer = new Map<string, Promise<boolean>>();
  let delegation: { key: UserDelegationKey; until: Date } | undefined;

  const store: BlobStore = {
    settings: s,
    credential: kind,
    async upload(blobName, source, contentType, signal) {
      let bytes = 0;
      const counter = new Transform({
        transform(chunk: Buffer, _enc, done) {
          bytes += chunk.length;
          done(null, chunk);
        },
      });
      source.on('error', (e) => counter.destroy(e));
      source.pipe(counter);
      await container.getBlockBlobClient(blobName).uploadStream(counter, BLOCK_BYTES, BLOCKS_IN_FLIGHT, {
        blobHTTPHeaders: { blobContentType: contentType },
        abortSignal: signal,
      });
      return bytes;
    },
    async size(blobName) {
      try {
        const p = await container.getBlobClient(blobName).getProperties();
        return p.contentLength ?? 0;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return null;
        throw error;
      }
    },
    async remove(blobName) {
      await container.getBlobClient(blobName).deleteIfExists();
    },
    isPublic(blobName) {
      let known = publicByContainer.get(s.containerUrl);
      if (!known) {
        // The property that matters, asked directly: does the blob answer without credentials?
        known = new BlobClient(plainUrl(blobName), anonymous()).getProperties().then(
          () => true,
          () => false,
        );
        publicByContainer.set(s.containerUrl, known);
      }
      return known;
    },
    async playableUrl(blobName, now = new Date()) {
      if (await store.isPublic(blobName)) return { url: plainUrl(blobName), expiresAt: null };
      const startsOn = new Date(now.getTime() - 5 * 60_000);
      let expiresOn = new Date(now.getTime() + s.linkDays * 86_400_000);
      // Read only: never write, delete or list. https only, except for a local emulator over http.
      const values = {
        containerName: s.container,
        blobName,
        permissions: BlobSASPermissions.parse('r'),
        startsOn,
        expiresOn,
        protocol: s.containerUrl.startsWith('https:') ? SASProtocol.Https : SASProtocol.HttpsAndHttp,
      };
      if (sharedKey) {
        return { url: `${plainUrl(blobName)}?${generateBlobSASQueryParameters(values, sharedKey).toString()}`, expiresAt: expiresOn };
      }
      if (entra) {
        // A user delegation key lives at most 7 days.
        const limit = new Date(now.getTime() + 7 * 86_400_000 - 60_000);
        if (expiresOn > limit) expiresOn = limit;
        // One key per run serves every link (fetched again only when it would cut a link by over an hour).
        if (!delegation || delegation.until.getTime() < expiresOn.getTime() - 3_600_000) {
          const service = new BlobServiceClient(s.containerUrl.slice(0, s.containerUrl.lastIndexOf('/')), entra);
          delegation = { key: await service.getUserDelegationKey(startsOn, expiresOn), until: expiresOn };
        }
        if (expiresOn > delegation.until) expiresOn = delegation.until;
        // 2025-11-05: the newest user delegation SAS format Azurite (3.35) also verifies; Azure takes it as well.
        const sas = generateBlobSASQueryParameters({ ...values, expiresOn, version: '2025-11-05' }, delegation.key, s.account);
        return { url: `${plainUrl(blobName)}?${sas.toString()}`, expiresAt: expiresOn };
      }
      throw new FailureError(`the container ${s.containerUrl} is private, and a SAS cannot sign the read-only links the web app needs`, {
        hint: 'make the container public-read, or give AZURE_STORAGE_CONNECTION_STRING (account key) or Entra ID instead of a SAS in storage-url',
      });
    },
    async check() {
      const probe = `.octo-doctor/${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}.txt`;
      const body = Buffer.from('octo doctor: this blob is deleted right away\n');
      await container.getBlockBlobClient(probe).uploadData(body, { blobHTTPHeaders: { blobContentType: 'text/plain' } });
      try {
        const link = await store.playableUrl(probe);
        // As a browser would: no credential but what the link itself carries.
        const got = await new BlobClient(link.url, anonymous()).downloadToBuffer();
        if (!got.equals(body)) throw new FailureError(`the link answered ${got.length} bytes, not the ${body.length} written`);
        return { public: link.expiresAt === null, bytes: got.length };
      } finally {
        await container
          .getBlobClient(probe)
          .deleteIfExists()
          .catch(() => undefined);
      }
    },
  };
  return store;

  function plainUrl(blobName: string): string {
    return `${s.containerUrl}/${blobName.split('/').map(encodeURIComponent).join('/')}`;
  }
}

/** AccountName/AccountKey, or a SharedAccessSignature; `UseDevelopmentStorage=true` is Azurite's account. */
export function parseConnectionString(text: string): { account: string; key: string } | { sas: string } {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  if (fields.get('usedevelopmentstorage') === 'true') return { account: DEV_ACCOUNT, key: DEV_KEY };
  const sas = fields.get('sharedaccesssignature');
  if (sas) return { sas: sas.replace(/^\?/, '') };
  const account = fields.get('accountname');
  const key = fields.get('accountkey');
  if (!account || !key) throw new FailureError('AZURE_STORAGE_CONNECTION_STRING has neither AccountName/AccountKey nor SharedAccessSignature');
  return { account, key };
}

/** `--debug`: each storage request's method, blob URL (never its query: a SAS), status and time. */
function debugTimings(debug: (line: string) => void): RequestPolicyFactory {
  return {
    create: (next) => ({
      async sendRequest(request) {
        const started = performance.now();
        const url = request.url.split('?')[0];
        let status = 0;
        try {
          const response = await next.sendRequest(request);
          status = response.status;
          return response;
        } finally {
          debug(`storage ${request.method} ${url} → ${status} ${(performance.now() - started).toFixed(1)} ms`);
        }
      },
    }),
  };
}

async function defaultEntraCredential(): Promise<TokenCredential> {
  const { DefaultAzureCredential } = await import('@azure/identity');
  return new DefaultAzureCredential();
}
