import { Transform } from 'node:stream';
import { SoraNetworkError, SoraServerError } from './errors.js';
import { requestSignal } from './http-body.js';
import { humanMs } from './limits.js';
import { Mp4Boxes } from './mp4-check.js';

/**
 * A download must keep moving: fewer than `minBytes` in any `ms` (from the request on, so a
 * server that never answers counts too) and `signal` aborts. One byte every two seconds keeps a
 * connection from ever being idle; it does not keep a download from stalling.
 */
export class StallWatch {
  readonly signal: AbortSignal;
  stalled = false;
  total = 0;
  private window = 0;
  private readonly request: ReturnType<typeof requestSignal>;
  private readonly timer: NodeJS.Timeout;

  constructor(
    readonly ms: number,
    readonly minBytes: number,
    outer?: AbortSignal,
  ) {
    this.request = requestSignal(outer);
    this.signal = this.request.signal;
    this.timer = setInterval(() => {
      if (this.window < this.minBytes) {
        this.stalled = true;
        this.request.abort();
        this.stop();
      }
      this.window = 0;
    }, ms);
  }

  feed(bytes: number): void {
    this.window += bytes;
    this.total += bytes;
  }

  /** The attempt is over: no more checks, and `outer` no longer reaches it. */
  stop(): void {
    clearInterval(this.timer);
    this.request.release();
  }

  /** The error a stalled attempt ends with (a network failure: retried, then given up). */
  error(what: string): SoraNetworkError {
    return new SoraNetworkError(`${what} stalled: fewer than ${this.minBytes / 1024} KiB in ${humanMs(this.ms)} (${this.total} bytes in all)`, {
      sent: true,
      errno: 'ESTALLED',
    });
  }
}

/**
 * The body, checked as it passes: never past its Content-Length, not empty, as long as it said,
 * and (`mp4`) an MP4 file. A failed check ends the stream with a SoraServerError: a transfer cut
 * short or emptied is worth another try (status 502); a body that is not an MP4 is not.
 */
export function guardBody(o: {
  what: string;
  expected: number | null;
  mp4: boolean;
  status: number;
  watch?: StallWatch;
  onProgress?: (bytes: number, total: number | null) => void;
}): Transform & { bytes(): number } {
  const boxes = o.mp4 ? new Mp4Boxes() : null;
  let bytes = 0;
  const fail = (message: string, transient: boolean) => new SoraServerError(`${o.what}: ${message}`, { status: transient ? 502 : o.status });
  const guard = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      o.watch?.feed(chunk.length);
      if (o.expected !== null && bytes > o.expected) return done(fail(`the body runs past its Content-Length of ${o.expected} bytes`, true));
      const problem = boxes?.push(chunk);
      if (problem) return done(fail(problem.message, problem.cutShort));
      o.onProgress?.(bytes, o.expected);
      done(null, chunk);
    },
    flush(done) {
      if (bytes === 0) return done(fail('the service sent an empty body', true));
      if (o.expected !== null && bytes !== o.expected) {
        return done(new SoraServerError(`download incomplete: got ${bytes} of ${o.expected} bytes`, { status: 502 }));
      }
      const problem = boxes?.end();
      if (problem) return done(fail(problem.message, problem.cutShort));
      done();
    },
  });
  return Object.assign(guard, { bytes: () => bytes });
}
