import type { CachedSession, ConfigStore } from '../config/store.js';

/**
 * Where a login's token is kept: the OS keyring when one answers (Keychain, Credential Manager,
 * the Secret Service), else the 0600 config file, as gh does since 2.24. The keyring module is
 * native and loaded only here, lazily, so commands that do not touch the token never pay for it.
 * A keyring that fails (none running, locked, headless: AccessDenied) never blocks a login.
 */

export type TokenStoreKind = 'keyring' | 'config';

/** The few keyring calls octo makes; tests pass a fake. */
export interface Keyring {
  get(account: string): Promise<string | undefined>;
  set(account: string, secret: string): Promise<void>;
  delete(account: string): Promise<void>;
}

const SERVICE = 'octo-cli';
/** A keyring that waits for an unlock prompt must not hold a command up. */
const KEYRING_TIMEOUT_MS = 3000;

/** The OS keyring through @napi-rs/keyring; undefined when disabled (`OCTO_KEYRING=off`) or not loadable. */
export async function osKeyring(env: Record<string, string | undefined>): Promise<Keyring | undefined> {
  if (env.OCTO_KEYRING === 'off' || env.OCTO_KEYRING === '0') return undefined;
  let mod: typeof import('@napi-rs/keyring');
  try {
    mod = await import('@napi-rs/keyring');
  } catch {
    return undefined;
  }
  const entry = (account: string) => new mod.AsyncEntry(SERVICE, account);
  const signal = () => AbortSignal.timeout(KEYRING_TIMEOUT_MS);
  return {
    get: async (account) => (await entry(account).getPassword(signal())) ?? undefined,
    set: (account, secret) => entry(account).setPassword(secret, signal()),
    delete: async (account) => {
      await entry(account).deleteCredential(signal());
    },
  };
}

/** The keyring entry of a database's login: per config file too, so two config folders never share a token. */
export function keyringAccount(config: Pick<ConfigStore, 'path'>, databaseKey: string): string {
  return `${databaseKey} (${config.path})`;
}

/** The first line of a keyring error (the native ones carry a Rust backtrace). */
export function keyringReason(error: unknown): string {
  return (
    String(error instanceof Error ? error.message : error)
      .split('\n', 1)[0]
      ?.slice(0, 200) ?? ''
  );
}

/**
 * Keeps `token` in the keyring when it takes it (and gives it back: some stores accept writes
 * they cannot read), else says so and leaves it for the config file. Never throws.
 */
export async function keepToken(keyring: Keyring | undefined, account: string, token: string): Promise<{ store: TokenStoreKind; reason?: string }> {
  if (!keyring) return { store: 'config', reason: 'no keyring' };
  try {
    await keyring.set(account, token);
    if ((await keyring.get(account)) === token) return { store: 'keyring' };
    return { store: 'config', reason: 'the keyring did not give the token back' };
  } catch (error) {
    return { store: 'config', reason: keyringReason(error) };
  }
}

/** Removes a token from the keyring, quietly: a missing entry or keyring is no failure. */
export async function dropToken(keyring: Keyring | undefined, account: string): Promise<void> {
  await keyring?.delete(account).catch(() => undefined);
}

/** The cached token of a session entry, from wherever it was kept; undefined when it cannot be read. */
export async function cachedToken(cached: CachedSession, account: string, keyring: () => Promise<Keyring | undefined>): Promise<string | undefined> {
  if (cached.store !== 'keyring') return cached.token;
  const k = await keyring();
  return k?.get(account).catch(() => undefined);
}

/** Saves a login: the token in the keyring when possible, the rest (and else the token) in the config. */
export async function saveLogin(
  config: ConfigStore,
  databaseKey: string,
  session: Omit<CachedSession, 'token' | 'store'> & { token: string },
  keyring: Keyring | undefined,
): Promise<{ store: TokenStoreKind; reason?: string }> {
  const kept = await keepToken(keyring, keyringAccount(config, databaseKey), session.token);
  if (kept.store === 'keyring') {
    const { token: _inKeyring, ...rest } = session;
    await config.saveSession(databaseKey, { ...rest, store: 'keyring' });
  } else {
    await config.saveSession(databaseKey, session);
  }
  return kept;
}

/**
 * The session token a command will present to this database (OCTO_TOKEN, else the cached one),
 * unchecked: a pg connection starts out carrying it (member mode, src/db/connection/pg-driver.ts) and the
 * database checks it on every statement. Synchronous unless the token is in the keyring.
 */
export function presentedToken(
  env: Record<string, string | undefined>,
  config: ConfigStore,
  databaseKey: string,
  keyring: () => Promise<Keyring | undefined>,
): string | null | Promise<string | null> {
  const fromEnv = env.OCTO_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  const cached = config.session(databaseKey);
  if (!cached) return null;
  if (cached.store !== 'keyring') return cached.token ?? null;
  return cachedToken(cached, keyringAccount(config, databaseKey), keyring).then(
    (token) => token ?? null,
    () => null,
  );
}
