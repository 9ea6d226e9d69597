import { UsageError } from '../core/errors.js';
import { isLoopbackHost } from '../core/net.js';

/**
 * Where videos are uploaded, read from `OCTO_STORAGE_URL` or the `storage-url` setting. Pure:
 * nothing here loads @azure/*, so commands that never upload pay nothing for storage.
 */

type Env = Record<string, string | undefined>;

export interface StorageSettings {
  /** The container URL without its query (no SAS): `https://ACCOUNT.blob.core.windows.net/CONTAINER`. */
  containerUrl: string;
  /** The container URL as configured (may carry a SAS: a secret, never printed). */
  rawUrl: string;
  /** Account and container names from the URL (host-style or Azurite's path-style). */
  account: string;
  container: string;
  /** How long a read-only link stays valid. */
  linkDays: number;
  /** `AZURE_STORAGE_CONNECTION_STRING` (a secret, never printed). */
  connectionString?: string;
  /** Where `--debug` lines about storage requests go. */
  debug?: (line: string) => void;
}

export const DEFAULT_LINK_DAYS = 7;

/** `storage-url` checked: an http(s) URL naming an account and a container. Returns a problem or undefined. */
export function storageUrlProblem(value: string): string | undefined {
  try {
    parseContainerUrl(value);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

export function linkDaysProblem(value: string): string | undefined {
  return /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 365 ? undefined : 'must be a whole number of days from 1 to 365';
}

export function parseContainerUrl(raw: string): { containerUrl: string; account: string; container: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError('storage-url must be a container URL like https://ACCOUNT.blob.core.windows.net/CONTAINER');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new UsageError('storage-url must start with https:// (or http:// for Azurite)');
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    // A SAS in the URL or a bearer token would cross the network in clear, and links would allow http.
    throw new UsageError(`storage-url must use https:// (http:// is allowed only for this machine, e.g. Azurite): ${url.origin}`);
  }
  const parts = url.pathname.split('/').filter(Boolean);
  // Azure: ACCOUNT.blob.core.windows.net/CONTAINER; Azurite and other IP hosts: HOST:PORT/ACCOUNT/CONTAINER.
  const pathStyle = !/\.blob\./.test(url.hostname) && (/^[\d.]+$|^\[|^localhost$/.test(url.hostname) || parts.length === 2);
  const account = pathStyle ? parts[0] : url.hostname.split('.')[0];
  const container = pathStyle ? parts[1] : parts[0];
  if (!account || !container || parts.length !== (pathStyle ? 2 : 1)) {
    throw new UsageError(
      'storage-url must name one container: https://ACCOUNT.blob.core.windows.net/CONTAINER (Azurite: http://127.0.0.1:PORT/devstoreaccount1/CONTAINER)',
    );
  }
  return { containerUrl: `${url.origin}/${pathStyle ? `${account}/` : ''}${container}`, account, container };
}

/** The configured storage, or undefined when none is (videos then stay local, as before). */
export function storageSettings(
  env: Env,
  setting: (key: 'storage-url' | 'storage-link-days') => string | undefined,
  debug?: (line: string) => void,
): StorageSettings | undefined {
  const rawUrl = env.OCTO_STORAGE_URL || setting('storage-url');
  if (!rawUrl) return undefined;
  const days = setting('storage-link-days');
  if (days !== undefined && linkDaysProblem(days)) throw new UsageError(`storage-link-days ${linkDaysProblem(days)} (got "${days}")`);
  return {
    ...parseContainerUrl(rawUrl),
    rawUrl,
    linkDays: days === undefined ? DEFAULT_LINK_DAYS : Number(days),
    connectionString: env.AZURE_STORAGE_CONNECTION_STRING || undefined,
    ...(debug ? { debug } : {}),
  };
}

/** A URL with its query (SAS) replaced, for output and logs. */
export function redactSas(raw: string): string {
  const q = raw.indexOf('?');
  return q < 0 ? raw : `${raw.slice(0, q)}?…`;
}

/** Which credential octo will use, first found wins (no I/O). */
export function credentialKind(s: Pick<StorageSettings, 'rawUrl' | 'connectionString'>): 'sas' | 'connection-string' | 'entra-id' {
  if (/[?&]sig=/.test(s.rawUrl)) return 'sas';
  if (s.connectionString) return 'connection-string';
  return 'entra-id';
}
