import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { FailureError } from '../../../core/errors.js';

/**
 * The embedded database's files hold everything octo stores, plaintext API keys included (in
 * the tables and in pg_wal). Only their owner may read them: folders 0700, files 0600.
 */

const uid = () => (typeof process.getuid === 'function' ? process.getuid() : undefined);

/** Refuses a folder that is a symlink, not a folder, or owned by another user. */
function checkOwned(path: string): void {
  const stat = lstatSync(path);
  if (!stat.isDirectory()) throw new FailureError(`${path} is not a folder (a symlink or a file is not trusted here)`);
  const me = uid();
  if (me !== undefined && stat.uid !== me) {
    throw new FailureError(`${path} belongs to another user (uid ${stat.uid}); octo keeps its database only in a folder of yours`);
  }
}

/** Creates `dir` (0700) or takes an existing one of ours and makes it 0700. */
export function ensurePrivateDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  checkOwned(dir);
  if ((lstatSync(dir).mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
}

/**
 * Folders 0700 and files 0600 under `dir` (PGlite creates its files 0666 and some 0644 whatever
 * the umask; a folder made by an older octo may be 0755). Symlinks are left alone, never followed.
 */
export function lockDownTree(dir: string): void {
  fixMode(dir, 0o700);
  lockDownChildren(dir);
}

function lockDownChildren(dir: string): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      fixMode(path, 0o700);
      lockDownChildren(path);
    } else if (entry.isFile()) {
      fixMode(path, 0o600);
    }
  }
}

/** These files, when they exist and are regular files, 0600. */
export function lockDownFiles(paths: string[]): void {
  for (const path of paths) {
    try {
      if (lstatSync(path).isFile()) fixMode(path, 0o600);
    } catch {
      // Not there.
    }
  }
}

function fixMode(path: string, mode: number): void {
  try {
    if ((lstatSync(path).mode & 0o777) !== mode) chmodSync(path, mode);
  } catch {
    // Removed meanwhile.
  }
}

const SOCKET_DIR_PREFIX = 'octo-';

/**
 * A fresh folder for the server's socket when the data folder's path is too long for one
 * (Unix socket paths are limited to ~107 bytes): made by mkdtemp (a random name, 0700), then
 * checked to be ours and private. Never a predictable name someone could have made first.
 */
export function makeSocketDir(env: Record<string, string | undefined> = process.env, maxLength = 80): string {
  const candidates = [env.XDG_RUNTIME_DIR, tmpdir(), '/tmp'].filter((d): d is string => Boolean(d));
  const base = candidates.find((d) => join(d, `${SOCKET_DIR_PREFIX}XXXXXX`).length <= maxLength) ?? '/tmp';
  const dir = mkdtempSync(join(base, SOCKET_DIR_PREFIX));
  checkOwned(dir);
  if ((lstatSync(dir).mode & 0o077) !== 0) {
    rmSync(dir, { recursive: true, force: true });
    throw new FailureError(`the socket folder ${dir} was not created private`);
  }
  return dir;
}

/** Removes a socket folder made by `makeSocketDir` (never the data folder itself). */
export function removeSocketDir(dir: string, dataDir: string): void {
  if (dir === dataDir || !basename(dir).startsWith(SOCKET_DIR_PREFIX) || dirname(dir) === dir) return;
  try {
    checkOwned(dir);
    rmSync(dir, { recursive: true, force: true });
  } catch {
    // Gone, or not ours: leave it.
  }
}
