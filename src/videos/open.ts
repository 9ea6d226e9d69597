import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import type { Context } from '../context/context.js';
import { FailureError, NotFoundError } from '../core/errors.js';
import { videoDetails } from './show.js';

/** What to open for a video: its local file when it is there, else its URL (an uploaded copy). */
export function playableTarget(video: { id: string; url: string }, cwd: string): string {
  if (/^https?:\/\//i.test(video.url)) return video.url;
  const path = isAbsolute(video.url) ? video.url : resolve(cwd, video.url);
  if (!existsSync(path)) {
    throw new NotFoundError(`the file of video ${video.id} is not on this machine: ${path}`, {
      hint: `download it again: octo videos download ${video.id.slice(0, 8)}`,
    });
  }
  return path;
}

/** `videos open ID`: the video, and what to open for it (its local file, else its URL). */
export async function videoTarget(ctx: Pick<Context, 'db' | 'session' | 'cwd'>, id: string): Promise<{ id: string; target: string }> {
  const video = await videoDetails(ctx, id);
  return { id: video.id, target: playableTarget(video, ctx.cwd) };
}

/** Hands `target` to the system's opener and returns once it started (it is not waited for). */
export async function openWithSystem(target: string, o: { env: Record<string, string | undefined>; platform: NodeJS.Platform }): Promise<void> {
  const [command, args] =
    o.platform === 'darwin' ? ['open', [target]] : o.platform === 'win32' ? ['cmd', ['/c', 'start', '""', target]] : ['xdg-open', [target]];
  await new Promise<void>((done, fail) => {
    const child = spawn(command, args as string[], { env: o.env as NodeJS.ProcessEnv, stdio: 'ignore', detached: true });
    child.once('error', (error: NodeJS.ErrnoException) =>
      fail(
        error.code === 'ENOENT'
          ? new FailureError(`cannot open it: ${command} is not installed`, { hint: 'print the path instead: octo videos open ID --print' })
          : error,
      ),
    );
    child.once('spawn', () => {
      child.unref();
      done();
    });
  });
}
