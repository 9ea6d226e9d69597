import { lstatSync } from 'node:fs';
import { lstat, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, resolve } from 'node:path';
import { makeDirs } from '../core/dirs.js';

/**
 * Where downloaded videos go, and which local files octo may delete. Asset ids come from the
 * service and file paths from a (possibly shared) database, so neither is trusted: an id becomes
 * a plain file name inside the download folder, and `videos delete --files` removes only files
 * octo wrote, in a folder that carries octo's marker.
 */

/** The marker octo writes into every folder it downloads to. */
export const DOWNLOAD_MARKER = '.octo-downloads';

const EXTENSIONS = ['.mp4', '.webp', '.jpg'];
/** A name octo itself gives a file: the safe id plus one of the extensions above. */
const OWN_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}\.(mp4|webp|jpg)$/;

/**
 * An asset id as a file name: letters, digits, `.`, `_` and `-` kept, anything else `_`, no
 * leading dot, at most 128 characters. `../../escape/pwn` becomes `___.._escape_pwn`.
 */
export function safeFileName(id: string): string {
  const name = id
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, (dots) => '_'.repeat(dots.length))
    .slice(0, 128);
  return name || 'video';
}

/** `out/<safe id>` (no extension), checked to sit directly inside `out`. */
export function assetFileBase(out: string, id: string): string {
  const folder = resolve(out);
  const base = join(folder, safeFileName(id));
  if (dirname(base) !== folder) throw new Error(`unsafe file name for asset ${JSON.stringify(id)}`);
  return base;
}

/** Creates the download folder (if needed) and octo's marker in it. */
export async function prepareDownloadDir(out: string): Promise<string> {
  const folder = resolve(out);
  await makeDirs(folder);
  await writeFile(join(folder, DOWNLOAD_MARKER), 'Videos downloaded by octo. `octo videos delete --files` only deletes files in folders holding this file.\n', {
    flag: 'wx',
    mode: 0o644,
  }).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error;
  });
  return folder;
}

const ownedByMe = (uid: number) => typeof process.getuid !== 'function' || uid === process.getuid();

/**
 * Why `path` may not be deleted, or null when it may: an absolute path to a regular file (not a
 * link) with a name octo gives, owned by this user, in a folder holding octo's marker (a regular
 * file, also owned by this user).
 */
export async function whyNotOurs(path: string): Promise<string | null> {
  const named = nameProblem(path);
  if (named) return named;
  const file = await lstat(path).catch(() => null);
  if (!file) return 'no such file';
  if (!file.isFile() || !ownedByMe(file.uid)) return 'not a regular file of yours';
  const marker = await lstat(join(dirname(path), DOWNLOAD_MARKER)).catch(() => null);
  if (!marker?.isFile() || !ownedByMe(marker.uid)) return 'not in a folder octo downloaded to';
  return null;
}

function nameProblem(path: string): string | null {
  if (!isAbsolute(path) || resolve(path) !== path) return 'not an absolute, normalised path';
  if (!OWN_NAME.test(basename(path)) || !EXTENSIONS.some((e) => path.endsWith(e))) return 'not a file name octo writes';
  return null;
}

/**
 * The paths whyNotOurs accepts, for many files at once (a gallery page's thousands): the same
 * rules, with each folder's marker looked at once.
 */
export function ourFiles(paths: Iterable<string>): Set<string> {
  const marked = new Map<string, boolean>();
  const ours = new Set<string>();
  for (const path of paths) {
    if (nameProblem(path)) continue;
    const file = lstatSync(path, { throwIfNoEntry: false });
    if (!file?.isFile() || !ownedByMe(file.uid)) continue;
    const dir = dirname(path);
    let ok = marked.get(dir);
    if (ok === undefined) {
      const marker = lstatSync(join(dir, DOWNLOAD_MARKER), { throwIfNoEntry: false });
      ok = Boolean(marker?.isFile() && ownedByMe(marker.uid));
      marked.set(dir, ok);
    }
    if (ok) ours.add(path);
  }
  return ours;
}

/** Deletes the files octo wrote; says which were kept and why. */
export async function deleteOwnFiles(paths: (string | null)[]): Promise<{ removed: string[]; kept: { path: string; reason: string }[] }> {
  const removed: string[] = [];
  const kept: { path: string; reason: string }[] = [];
  for (const path of paths) {
    if (!path || /^[a-z][a-z0-9+.-]*:\/\//i.test(path)) continue; // a URL: nothing local
    const reason = await whyNotOurs(path);
    if (reason) {
      if (reason !== 'no such file') kept.push({ path, reason });
      continue;
    }
    await rm(path, { force: true });
    removed.push(path);
  }
  return { removed, kept };
}
