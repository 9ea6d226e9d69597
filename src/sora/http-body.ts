import type { Readable } from 'node:stream';

/**
 * Reads at most `max` bytes of a response body. `over` says what happens past that: `truncate`
 * keeps the first `max` bytes (an error body, only ever shown in part), `refuse` gives null (a
 * JSON answer too long to parse safely). Either way no more is read: the stream is destroyed.
 * `declared`: the Content-Length, when there is one.
 */
/**
 * Stops reading a body. undici ends a body destroyed before its end with an error event: with no
 * listener, that would be an uncaught exception, so one is added first.
 */
export function discard(body: Readable): void {
  body.on('error', () => undefined);
  body.destroy();
}

export async function readCapped(body: Readable, max: number, over: 'truncate' | 'refuse', declared: number | null = null): Promise<Buffer | null> {
  // A body that says it is too long is not read at all.
  if (over === 'refuse' && declared !== null && declared > max) {
    discard(body);
    return null;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (size + chunk.length > max) {
      discard(body);
      if (over === 'refuse') return null;
      chunks.push(chunk.subarray(0, max - size));
      return Buffer.concat(chunks);
    }
    size += chunk.length;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** A Content-Length header as a number of bytes, or null when absent or not a whole number. */
export function contentLength(headers: Record<string, string | string[] | undefined>): number | null {
  const raw = headers['content-length'];
  const text = Array.isArray(raw) ? raw[0] : raw;
  return text !== undefined && /^\s*\d+\s*$/.test(text) ? Number(text) : null;
}

/**
 * An abort signal of one request's own, that `outer` aborts only while the request is live:
 * `release()` (once it is over) unhooks it. Were a request's signal derived from a longer-lived
 * one, an abort after a body was refused and destroyed would reach the finished request, which
 * undici then reports as an error nobody listens to.
 */
export function requestSignal(outer?: AbortSignal): { signal: AbortSignal; abort(): void; release(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(outer?.reason);
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    abort: () => controller.abort(),
    release: () => outer?.removeEventListener('abort', onAbort),
  };
}
