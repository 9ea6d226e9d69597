import { AuthError } from '../core/errors.js';
import { CREDENTIAL_KINDS, type CredentialKind, type ProfileWithKey } from './profile.js';

/**
 * How a profile proves itself to Azure OpenAI, one of four ways:
 *   api-key      the key stored in the profile (the web app's way)
 *   api-key-env  the key read from an environment variable whose NAME the profile stores
 *   azure-cli    Entra ID tokens from `az account get-access-token` (AzureCliCredential)
 *   entra        Entra ID tokens from the standard @azure/identity chain (DefaultAzureCredential)
 * Tokens go in `Authorization: Bearer` with the Cognitive Services scope, are cached in memory
 * and refreshed before they expire, and are never written anywhere. @azure/identity is loaded
 * only when a keyless profile is used.
 */

export const COGNITIVE_SERVICES_SCOPE = 'https://cognitiveservices.azure.com/.default';

/** What the Sora client takes: a key for the `api-key` header, or a source of bearer tokens. */
export type SoraAuth = { apiKey: string; bearerToken?: undefined } | { apiKey?: undefined; bearerToken: () => Promise<string> };

/** The credential fields of a profile. */
export type ProfileCredential = Pick<ProfileWithKey, 'name' | 'credential' | 'api_key' | 'api_key_env'>;

export function credentialKind(value: string | null | undefined): CredentialKind {
  return (CREDENTIAL_KINDS as readonly string[]).includes(value ?? '') ? (value as CredentialKind) : 'api-key';
}

/** A token as @azure/identity hands it out. */
export interface AccessTokenLike {
  token: string;
  expiresOnTimestamp: number;
  refreshAfterTimestamp?: number;
}
export interface TokenCredentialLike {
  getToken(scopes: string | string[]): Promise<AccessTokenLike | null>;
}

/** Refresh this long before a token expires, so no request leaves with one about to lapse. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * One token at a time from `credential`, kept in memory and fetched again once it is within five
 * minutes of expiry (or past the refresh time the service suggests). Concurrent callers share one
 * fetch. Failures become AuthError (exit 4) with the credential's own first line.
 */
export function cachedBearer(credential: () => Promise<TokenCredentialLike>, what: string, now: () => number = Date.now): () => Promise<string> {
  let current: { token: string; refreshAt: number } | undefined;
  let pending: Promise<string> | undefined;
  const fetchToken = async (): Promise<string> => {
    let got: AccessTokenLike | null;
    try {
      got = await (await credential()).getToken(COGNITIVE_SERVICES_SCOPE);
    } catch (error) {
      const first = (String(error instanceof Error ? error.message : error).split('\n')[0] ?? '').slice(0, 300);
      throw new AuthError(`${what} gave no token: ${first}`, {
        hint: what.startsWith('Azure CLI')
          ? 'run: az login (and check: az account show)'
          : 'sign in (az login) or configure a managed identity or service principal',
        cause: error,
      });
    }
    if (!got?.token) throw new AuthError(`${what} gave no token`, { hint: 'run: az login' });
    const t = now();
    let refreshAt = Math.min(got.expiresOnTimestamp - REFRESH_MARGIN_MS, got.refreshAfterTimestamp ?? Number.POSITIVE_INFINITY);
    // A token that is already close to expiry is still used for a short while, not fetched per request.
    if (refreshAt <= t) refreshAt = Math.min(got.expiresOnTimestamp - 10_000, t + 30_000);
    current = { token: got.token, refreshAt };
    return got.token;
  };
  return async () => {
    if (current && now() < current.refreshAt) return current.token;
    pending ??= fetchToken().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** One token source per kind for the process: every profile and client shares it (the CLI runs as one identity). */
const sources = new Map<'azure-cli' | 'entra', () => Promise<string>>();

function bearerSource(kind: 'azure-cli' | 'entra'): () => Promise<string> {
  let source = sources.get(kind);
  if (!source) {
    source = cachedBearer(
      async () => {
        const identity = await import('@azure/identity');
        return kind === 'azure-cli' ? new identity.AzureCliCredential() : new identity.DefaultAzureCredential();
      },
      kind === 'azure-cli' ? 'Azure CLI (az account get-access-token)' : 'the Entra ID credential chain',
    );
    sources.set(kind, source);
  }
  return source;
}

/**
 * The client's credential for a profile. `api-key-env` reads the variable now: a missing or
 * empty one is an AuthError (exit 4) naming it. Bearer kinds fetch their token on first use.
 */
export function soraAuth(profile: ProfileCredential, env: Record<string, string | undefined>): SoraAuth {
  const kind = credentialKind(profile.credential);
  switch (kind) {
    case 'api-key':
      return { apiKey: profile.api_key };
    case 'api-key-env': {
      const name = profile.api_key_env ?? '';
      const key = env[name]?.trim();
      if (!name || !key) {
        throw new AuthError(`profile "${profile.name}" reads its API key from the environment variable ${name || '(none)'}, which is not set`, {
          hint: `set it first, e.g. export ${name || 'NAME'}=…`,
        });
      }
      return { apiKey: key };
    }
    default:
      return { bearerToken: bearerSource(kind) };
  }
}

/** Resolves the credential and, for bearer kinds, fetches the first token: fails early (before anything is recorded). */
export async function checkSoraAuth(profile: ProfileCredential, env: Record<string, string | undefined>): Promise<SoraAuth> {
  const auth = soraAuth(profile, env);
  if (auth.bearerToken) await auth.bearerToken();
  return auth;
}
