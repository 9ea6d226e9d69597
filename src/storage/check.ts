import { credentialKind, redactSas, type StorageSettings } from './settings.js';

/** `doctor`'s storage line: reachable, can write, and the link it would record plays without credentials. */
export async function checkStorage(s: StorageSettings): Promise<{ status: 'ok' | 'fail'; detail: string }> {
  const where = `${redactSas(s.rawUrl)} (credential: ${credentialKind(s)})`;
  try {
    const { openBlobStore } = await import('./blob.js');
    const store = await openBlobStore(s, { maxTries: 2 });
    const r = await store.check();
    return {
      status: 'ok',
      detail: `${where}: wrote a blob, its ${r.public ? 'plain link (public-read container)' : `read-only link (valid ${s.linkDays} days)`} played without credentials`,
    };
  } catch (error) {
    return { status: 'fail', detail: `${where}: ${describeStorageError(error)}` };
  }
}

function describeStorageError(error: unknown): string {
  const e = error as { statusCode?: number; code?: string; message?: string; name?: string; errors?: { message?: string }[] };
  if (e.name === 'AggregateAuthenticationError' || e.name === 'CredentialUnavailableError' || e.name === 'AuthenticationError') {
    const why = (e.errors ?? [e]).map((x) => firstLine(x.message)).join('; ');
    return `no Entra ID credential worked (${why}); run az login, use a managed identity, or set AZURE_STORAGE_CONNECTION_STRING`;
  }
  if (e.code === 'ContainerNotFound')
    return 'the container does not exist (create it, public-read or private, in the Azure portal or with az storage container create)';
  if (e.statusCode === 403 || e.code === 'AuthorizationFailure' || e.code === 'AuthenticationFailed' || e.code === 'AuthorizationPermissionMismatch') {
    return `not allowed to write: ${firstLine(e.message)}`;
  }
  if (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === 'REQUEST_SEND_ERROR' || /ECONNREFUSED|ENOTFOUND/.test(e.message ?? '')) {
    return `unreachable: ${firstLine(e.message)}`;
  }
  return firstLine(e.message ?? String(error));
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0]!.slice(0, 200);
}
