import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeDirs } from '../core/dirs.js';
import { StallWatch, guardBody } from './body-guard.js';
import { SoraNetworkError, SoraNotFoundError, SoraServerError, isTransient } from './errors.js';
import { errorFromResponse, type RawResponse } from './http.js';
import { contentLength, discard } from './http-body.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits } from './limits.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';

export interface DownloadOptions {
  /** Final path. The bytes go to `dest.part-<random>` first and are renamed into place when complete. */
  dest: string;
  signal?: AbortSignal;
  /** Retries after 5xx, 429, network errors and short transfers (default 4). */
  retries?: number;
  /** Retries after a 404, which Azure returns for a while right after a job succeeds (default 5). */
  notFoundRetries?: number;
  /** First backoff for transient failures (default 1000 ms, doubling, capped at 15 s). */
  retryDelayMs?: number;
  /** Wait between 404 retries (default 2000 ms, as the web app does). */
  notFoundDelayMs?: number;
  sleep?: Sleep;
  onProgress?: (bytes: number, total: number | null) => void;
  /** The body must be an MP4 file (a video); anything else is refused. */
  mp4?: boolean;
  /** The stall window and the Retry-After cap (defaults: DEFAULT_HTTP_LIMITS). */
  limits?: Partial<HttpLimits>;
}

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType: string | null;
}

/**
 * A stalled download is tried once more, then given up: a server that trickles will trickle
 * again, and the command must end (the line stays as it was, for `jobs wait`).
 */
const STALL_RETRIES = 1;

/**
 * Streams a response to a file: never more than a chunk in memory, checked as it passes (length,
 * and with `mp4` the file's boxes), fsync'd, then renamed into place. On any failure the
 * temporary file is removed, so `dest` either holds the whole, checked body or does not exist.
 * `fetchOnce` is called once per attempt (downloads are GETs, so resending is always safe).
 */
export async function downloadToFile(fetchOnce: (signal?: AbortSignal) => Promise<RawResponse>, what: string, o: DownloadOptions): Promise<DownloadResult> {
  await makeDirs(dirname(o.dest));
  return retrying(fetchOnce, what, o, (res, watch) => writeBody(res, what, watch, o));
}

export interface OpenedContent {
  body: Readable;
  /** content-length, when the service sent one. */
  bytes: number | null;
  contentType: string | null;
}

/**
 * The response body as a stream, for a copy that never touches the disk (`--no-download` with
 * storage), checked as it passes as a download is. Failures before the body starts are retried
 * as downloads are; a body cut off midway, stalled or refused ends the stream with the error,
 * and is the reader's to retry (by opening again).
 */
export async function openContent(
  fetchOnce: (signal?: AbortSignal) => Promise<RawResponse>,
  what: string,
  o: Omit<DownloadOptions, 'dest' | 'onProgress'>,
): Promise<OpenedContent> {
  return retrying(fetchOnce, what, o, async (res, watch) => {
    const expected = refuseEmpty(res, what);
    const guard = guardBody({ what, expected, mp4: o.mp4 ?? false, status: res.status, watch });
    const onStall = () => guard.destroy(watch.stalled ? watch.error(what) : undefined);
    watch.signal.addEventListener('abort', onStall, { once: true });
    guard.once('close', () => {
      watch.stop();
      watch.signal.removeEventListener('abort', onStall);
      // The reader stopped early (or the check failed): nothing more is read from the service.
      if (!res.body.readableEnded) discard(res.body);
    });
    res.body.once('error', (error) => guard.destroy(error));
    res.body.pipe(guard);
    return { body: guard, bytes: expected, contentType: (res.headers['content-type'] as string | undefined) ?? null };
  });
}

/** The Content-Length, refusing a body that announces itself empty (a video is never 0 bytes). */
function refuseEmpty(res: RawResponse, what: string): number | null {
  const expected = contentLength(res.headers);
  if (expected === 0) {
    discard(res.body);
    throw new SoraServerError(`${what}: the service sent an empty body (Content-Length: 0)`, { status: 502 });
  }
  return expected;
}

async function retrying<T>(
  fetchOnce: (signal?: AbortSignal) => Promise<RawResponse>,
  what: string,
  o: Omit<DownloadOptions, 'dest' | 'onProgress'>,
  use: (res: RawResponse, watch: StallWatch) => Promise<T>,
): Promise<T> {
  const sleep = o.sleep ?? defaultSleep;
  const limits = { ...DEFAULT_HTTP_LIMITS, ...o.limits };
  const retries = o.retries ?? 4;
  const notFoundRetries = o.notFoundRetries ?? 5;
  const base = o.retryDelayMs ?? 1000;
  let transientFailures = 0;
  let notFounds = 0;
  let stalls = 0;
  for (;;) {
    // `use` owns the watch once it has the response (a stream outlives this call).
    const watch = new StallWatch(limits.stallMs, limits.stallBytes, o.signal);
    try {
      const res = await fetchOnce(watch.signal);
      if (res.status < 200 || res.status >= 300) throw await errorFromResponse(res, what, undefined, limits.maxRetryAfterMs);
      return await use(res, watch);
    } catch (caught) {
      watch.stop();
      if (o.signal?.aborted) throw caught;
      const error = watch.stalled ? watch.error(what) : caught;
      if (watch.stalled) {
        if (stalls++ < STALL_RETRIES) {
          await sleep(base, o.signal);
          continue;
        }
        throw error;
      }
      if (error instanceof SoraNotFoundError && notFounds < notFoundRetries) {
        notFounds++;
        await sleep(o.notFoundDelayMs ?? 2000, o.signal);
        continue;
      }
      if (isTransient(error) && transientFailures < retries) {
        transientFailures++;
        const hinted = (error as { retryAfterMs?: number | null }).retryAfterMs;
        await sleep(hinted ?? Math.min(15_000, base * 2 ** (transientFailures - 1)), o.signal);
        continue;
      }
      throw error;
    }
  }
}

async function writeBody(res: RawResponse, what: string, watch: StallWatch, o: DownloadOptions): Promise<DownloadResult> {
  const contentType = (res.headers['content-type'] as string | undefined) ?? null;
  const tmp = `${o.dest}.part-${randomBytes(6).toString('hex')}`;
  try {
    const expected = refuseEmpty(res, what);
    const guard = guardBody({ what, expected, mp4: o.mp4 ?? false, status: res.status, watch, onProgress: o.onProgress });
    // Create the file before streaming, so the cleanup below cannot race a lazy open.
    const ws = createWriteStream(tmp, { fd: await open(tmp, 'wx', 0o644), flush: true });
    try {
      // flush: fsync before close, so a crash after the rename cannot leave a short file.
      await pipeline(res.body, guard, ws, { signal: watch.signal });
    } catch (error) {
      if (!ws.closed) {
        ws.destroy();
        await once(ws, 'close').catch(() => undefined);
      }
      // A check that failed, a stall, Ctrl-C: said as they are.
      if (error instanceof SoraServerError || watch.signal.aborted) throw error;
      // The connection broke mid-body: a transient network failure, retried by the caller.
      throw new SoraNetworkError(`download interrupted after ${guard.bytes()} bytes: ${(error as Error).message}`, {
        sent: true,
        cause: error,
      });
    }
    await rename(tmp, o.dest);
    return { path: o.dest, bytes: guard.bytes(), contentType };
  } catch (error) {
    await unlink(tmp).catch(() => undefined);
    discard(res.body);
    throw error;
  } finally {
    watch.stop();
  }
}
