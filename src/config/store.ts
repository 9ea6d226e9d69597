import { chmodSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../core/errors.js';

/**
 * The local config file. Reads parse the JSON directly (every command reads it, and `conf`
 * pulls in a JSON-schema validator that would cost start-up time); writes go through `conf`,
 * which writes atomically with mode 0600.
 */

/** Keys a user may get and set with `octo config`. */
export const USER_KEYS = {
  'database-url': 'Postgres or Neon URL used when no flag or environment variable names one',
  'download-dir': 'Folder that videos are downloaded to (default ./octo-videos)',
  'default-size': 'Default WxH for generate, e.g. 1280x720',
  'default-seconds': 'Default duration in seconds for generate',
  'default-profile': 'Profile used when no --profile is given and none is active',
  'pricing-file': 'JSON file whose rows replace the built-in price table',
} as const;

export type UserKey = keyof typeof USER_KEYS;

/** A cached login, kept per database so a token for one database is never sent to another. */
export interface CachedSession {
  token: string;
  /** The per-database JWT secret read at login, so the local check needs no query. */
  jwtSecret?: string;
  email?: string;
  expiresAt?: string;
}

interface ConfigFile {
  settings?: Partial<Record<UserKey, string>>;
  sessions?: Record<string, CachedSession>;
}

export interface ConfigStore {
  readonly path: string;
  get(key: UserKey): string | undefined;
  set(key: UserKey, value: string): Promise<void>;
  unset(key: UserKey): Promise<void>;
  list(): Partial<Record<UserKey, string>>;
  session(databaseKey: string): CachedSession | undefined;
  saveSession(databaseKey: string, session: CachedSession): Promise<void>;
  clearSession(databaseKey: string): Promise<void>;
}

export function isUserKey(key: string): key is UserKey {
  return Object.prototype.hasOwnProperty.call(USER_KEYS, key);
}

export function openConfig(dir: string): ConfigStore {
  const path = join(dir, 'config.json');
  let cache: ConfigFile | undefined;

  const read = (): ConfigFile => {
    if (cache) return cache;
    try {
      cache = JSON.parse(readFileSync(path, 'utf8')) as ConfigFile;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') cache = {};
      else throw new UsageError(`the config file ${path} is not valid JSON`, { hint: 'fix or delete it', cause: error });
    }
    return cache;
  };

  const write = async (change: (file: ConfigFile) => void): Promise<void> => {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const { default: Conf } = await import('conf');
    const conf = new Conf<ConfigFile>({
      cwd: dir,
      configName: 'config',
      configFileMode: 0o600,
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
    });
    const next = structuredClone(conf.store) as ConfigFile;
    change(next);
    conf.store = next;
    chmodSync(path, 0o600);
    cache = next;
  };

  return {
    path,
    get: (key) => read().settings?.[key],
    list: () => ({ ...read().settings }),
    set: (key, value) =>
      write((file) => {
        file.settings = { ...file.settings, [key]: value };
      }),
    unset: (key) =>
      write((file) => {
        if (file.settings) delete file.settings[key];
      }),
    session: (databaseKey) => read().sessions?.[databaseKey],
    saveSession: (databaseKey, session) =>
      write((file) => {
        file.sessions = { ...file.sessions, [databaseKey]: session };
      }),
    clearSession: (databaseKey) =>
      write((file) => {
        if (file.sessions) delete file.sessions[databaseKey];
      }),
  };
}
