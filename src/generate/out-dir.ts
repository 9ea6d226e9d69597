import { randomBytes } from 'node:crypto';
import { open, unlink } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { Context } from '../context/context.js';
import { makeDirs } from '../core/dirs.js';
import { UsageError } from '../core/errors.js';

/**
 * Checked before anything is spent: the download folder exists (or can be made) and a file can be
 * created in it. Otherwise exit 2 naming the folder and the reason (EACCES, ENOTDIR, EROFS…),
 * with `hint` saying how to pick another.
 */
export async function ensureWritableDir(dir: string, hint: string): Promise<void> {
  const probe = join(dir, `.octo-write-check-${randomBytes(4).toString('hex')}`);
  try {
    await makeDirs(dir);
    const fh = await open(probe, 'wx', 0o600);
    await fh.close();
    await unlink(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(`the download folder ${dir} is not writable (${code}); nothing was recorded or submitted`, { hint });
  }
}

/** Where videos go: `--out`, else the download-dir setting, else octo-videos; relative to the cwd. */
export function downloadDir(ctx: Pick<Context, 'setting' | 'cwd'>, out?: string): string {
  const dir = out ?? ctx.setting('download-dir') ?? 'octo-videos';
  return isAbsolute(dir) ? dir : resolve(ctx.cwd, dir);
}
