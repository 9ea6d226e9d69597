import { chmodSync, mkdirSync, readFileSync, type Stats, statSync } from 'node:fs';
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
  'storage-url': 'Azure Blob Storage container URL that videos are uploaded to (OCTO_STORAGE_URL overrides)',
  'storage-link-days': "Days a private container's read-only video link stays valid (default 7)",
} as const;

export type UserKey = keyof typeof USER_KEYS;

/** A cached login, kept per database so a token for one database is never sent to another. */
export interface CachedSession {
  /** Absent when the token is kept in the OS keyring (`store: 'keyring'`). */
  token?: string;
  /** Where the token is: the OS keyring, or (absent) `token` in this file. */
  store?: 'keyring';
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
  return Object.hasOwn(USER_KEYS, key);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What is wrong with a parsed config file, or null: checked once, so no command trips over `null` or a numeric token. */
function shapeProblem(file: unknown): string | null {
  if (!isObject(file)) return `it holds ${file === null ? 'null' : Array.isArray(file) ? 'an array' : `a ${typeof file}`}, not an object`;
  if (file.settings !== undefined) {
    if (!isObject(file.settings)) return '"settings" is not an object';
    for (const [k, v] of Object.entries(file.settings)) if (typeof v !== 'string') return `settings "${k}" is not a string`;
  }
  if (file.sessions !== undefined) {
    if (!isObject(file.sessions)) return '"sessions" is not an object';
    for (const [k, v] of Object.entries(file.sessions)) {
      if (!isObject(v)) return `the session for ${k} is not an object`;
      if (v.store === 'keyring' ? v.token !== undefined : typeof v.token !== 'string') return `the session for ${k} has no valid token`;
      for (const f of ['jwtSecret', 'email', 'expiresAt'] as const) {
        if (v[f] !== undefined && typeof v[f] !== 'string') return `the session for ${k} has a ${f} that is not a string`;
      }
    }
  }
  return null;
}

/**
 * The file holds the session token and the database's JWT secret: anyone who can read it can act
 * as you. Found open to others, it is closed to 0600 with a warning (as ssh and gh treat their
 * key and token files); where it cannot be changed (not yours), the warning says so.
 */
function keepPrivate(path: string, mode: number, warn: (line: string) => void): void {
  if ((mode & 0o077) === 0) return;
  const was = mode.toString(8).padStart(4, '0');
  try {
    chmodSync(path, 0o600);
    warn(`${path} was readable by others (mode ${was}); it holds your session and the database's JWT secret, so octo set it to 0600`);
  } catch (error) {
    warn(
      `${path} is readable by others (mode ${was}) and could not be changed (${(error as NodeJS.ErrnoException).code}); it holds your session: run chmod 600 on it`,
    );
  }
}

/**
 * The folder too: anyone who can write in it can replace config.json (another database, another
 * session). Closed to 0700 with a warning, unless it is not octo's to close: a shared folder
 * (sticky, as /tmp) or another user's, which only gets the warning. Returns whether others could
 * write in it (before any change): what was found there may be theirs.
 */
function keepFolderPrivate(dir: string, warn: (line: string) => void): boolean {
  if (process.platform === 'win32') return false;
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir);
  } catch {
    return false;
  }
  const mode = stat.mode & 0o7777;
  if ((mode & 0o077) === 0) return false;
  const was = mode.toString(8).padStart(4, '0');
  const writable = (mode & 0o022) !== 0;
  const shared = (mode & 0o1000) !== 0 || (process.getuid !== undefined && stat.uid !== process.getuid());
  if (shared) {
    if (writable) warn(`${dir} is a folder others can write in (mode ${was}): they could replace config.json; set OCTO_CONFIG_DIR to a private folder`);
    return writable;
  }
  try {
    chmodSync(dir, 0o700);
    warn(`${dir} was open to others (mode ${was}); it holds your session, so octo set it to 0700`);
  } catch (error) {
    warn(`${dir} is open to others (mode ${was}) and could not be changed (${(error as NodeJS.ErrnoException).code}): run chmod 700 on it`);
  }
  return writable;
}

/**
 * A config.json someone else owns, found where others could write it (an open folder, or the file
 * itself writable by others), may have been planted: its database URL would send this user's
 * password and session elsewhere, and octo would write the session into a file another user owns.
 */
function refusePlanted(path: string, stat: Stats, folderWritable: boolean): void {
  if (process.getuid === undefined) return;
  if (stat.uid === process.getuid() || (!folderWritable && (stat.mode & 0o022) === 0)) return;
  throw new UsageError(`${path} belongs to another user (uid ${stat.uid}) and sat where others could write it: octo does not use it`, {
    hint: 'remove it (then run: octo login), or set OCTO_CONFIG_DIR to a private folder',
  });
}

export interface ConfigOptions {
  /** A line for stderr: the file's mode was too open. */
  warn?: (line: string) => void;
}

export function openConfig(dir: string, options: ConfigOptions = {}): ConfigStore {
  const path = join(dir, 'config.json');
  let cache: ConfigFile | undefined;
  const warn = options.warn ?? (() => undefined);
  // Looked at once per command (a read and a write would say the same twice).
  let folderWritable: boolean | undefined;
  const checkFolder = () => {
    folderWritable ??= keepFolderPrivate(dir, warn);
    return folderWritable;
  };

  const read = (): ConfigFile => {
    if (cache) return cache;
    // The folder first, file or not: an open folder is where a config.json gets planted.
    const writable = checkFolder();
    let text: string | undefined;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new UsageError(`the config folder ${dir} is a file, not a folder`, { hint: 'set OCTO_CONFIG_DIR to a folder' });
      if (code !== 'ENOENT') throw new UsageError(`cannot read the config file ${path} (${code})`, { hint: 'fix its permissions or delete it', cause: error });
    }
    let parsed: unknown = {};
    if (text !== undefined) {
      // One look at the file serves both checks (gone since it was read: nothing to check).
      const stat = process.platform === 'win32' ? undefined : statSync(path, { throwIfNoEntry: false });
      if (stat) {
        refusePlanted(path, stat, writable);
        keepPrivate(path, stat.mode & 0o777, warn);
      }
      try {
        parsed = JSON.parse(text);
      } catch (error) {
        throw new UsageError(`the config file ${path} is not valid JSON`, { hint: 'fix or delete it', cause: error });
      }
    }
    const problem = shapeProblem(parsed);
    if (problem) throw new UsageError(`the config file ${path} is not an octo config: ${problem}`, { hint: 'fix or delete it (then run: octo login)' });
    cache = parsed as ConfigFile;
    return cache;
  };

  const write = async (change: (file: ConfigFile) => void): Promise<void> => {
    // Refuses a planted file (or a folder that is a file) before anything is written.
    read();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
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
