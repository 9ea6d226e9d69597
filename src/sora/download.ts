import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, unlink } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { makeDirs } from '../core/dirs.js';
import { SoraNetworkError, SoraNotFoundError, SoraServerError, isTransient } from './errors.js';
import { errorFromResponse, type RawResponse } from './http.js';
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
}

export interface DownloadResult {
  path: string;
  bytes: number;
  contentType: string | null;
}

/**
 * Streams a response to a file: never more than a chunk in memory, content-length checked,
 * fsync'd, then renamed into place. On any failure the temporary file is removed, so `dest`
 * either holds the whole body or does not exist. `fetchOnce` is called once per attempt
 * (downloads are GETs, so resending is always safe).
 */
export async function downloadToFile(fetchOnce: (signal?: AbortSignal) => Promise<RawResponse>, what: string, o: DownloadOptions): Promise<DownloadResult> {
  await makeDirs(dirname(o.dest));
  return retrying(fetchOnce, what, o, (res) => writeBody(res, o));
}

export interface OpenedContent {
  body: Readable;
  /** content-length, when the service sent one. */
  bytes: number | null;
  contentType: string | null;
}

/**
 * The response body as a stream, for a copy that never touches the disk (`--no-download` with
 * storage). Failures before the body starts are retried as downloads are; a body cut off midway
 * is the reader's to retry (by opening again).
 */
export async function openContent(
  fetchOnce: (signal?: AbortSignal) => Promise<RawResponse>,
  what: string,
  o: Omit<DownloadOptions, 'dest' | 'onProgress'>,
): Promise<OpenedContent> {
  return retrying(fetchOnce, what, o, async (res) => {
    const length = res.headers['content-length'];
    const n = Number(Array.isArray(length) ? length[0] : length);
    return {
      body: res.body,
      bytes: length === undefined || !Number.isFinite(n) ? null : n,
      contentType: (res.headers['content-type'] as string | undefined) ?? null,
    };
  });
}

async function retrying<T>(
  fetchOnce: (signal?: AbortSignal) => Promise<RawResponse>,
  what: string,
  o: Omit<DownloadOptions, 'dest' | 'onProgress'>,
  use: (res: RawResponse) => Promise<T>,
): Promise<T> {
  const sleep = o.sleep ?? defaultSleep;
  const retries = o.retries ?? 4;
  const notFoundRetries = o.notFoundRetries ?? 5;
  const base = o.retryDelayMs ?? 1000;
  let transientFailures = 0;
  let notFounds = 0;
  for (;;) {
    try {
      const res = await fetchOnce(o.signal);
      if (res.status < 200 || res.status >= 300) throw await errorFromResponse(res, what);
      return await use(res);
    } catch (error) {
      if (o.signal?.aborted) throw error;
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

async function writeBody(res: RawResponse, o: DownloadOptions): Promise<DownloadResult> {
  const lengthHeader = res.headers['content-length'];
  const expected = lengthHeader === undefined ? null : Number(Array.isArray(lengthHeader) ? lengthHeader[0] : lengthHeader);
  const contentType = (res.headers['content-type'] as string | undefined) ?? null;
  const tmp = `${o.dest}.part-${randomBytes(6).toString('hex')}`;
  let bytes = 0;
  // Create the file before streaming, so the cleanup below cannot race a lazy open.
  const ws = createWriteStream(tmp, { fd: await open(tmp, 'wx', 0o644), flush: true });
  try {
    const counter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        o.onProgress?.(bytes, expected);
        done(null, chunk);
      },
    });
    try {
      // flush: fsync before close, so a crash after the rename cannot leave a short file.
      await pipeline(res.body, counter, ws, { signal: o.signal });
    } catch (error) {
      if (o.signal?.aborted) throw error;
      // The connection broke mid-body: a transient network failure, retried by the caller.
      throw new SoraNetworkError(`download interrupted after ${bytes} bytes: ${(error as Error).message}`, {
        sent: true,
        cause: error,
      });
    }
    if (expected !== null && Number.isFinite(expected) && bytes !== expected) {
      throw new SoraServerError(`download incomplete: got ${bytes} of ${expected} bytes`, { status: 502 });
    }
    await rename(tmp, o.dest);
    return { path: o.dest, bytes, contentType };
  } catch (error) {
    if (!ws.closed) {
      ws.destroy();
      await once(ws, 'close').catch(() => undefined);
    }
    await unlink(tmp).catch(() => undefined);
    res.body.destroy();
    throw error;
  }
}
