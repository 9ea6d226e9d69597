/**
 * How long, and how much, octo gives a server that misbehaves before it stops. Every request
 * ends in bounded time and memory: a JSON answer has a deadline and a size cap, a download must
 * keep making progress, a Retry-After is obeyed only up to a cap, and a job status octo does not
 * know ends polling after a while. The defaults are for real services; the environment may
 * shorten them so that tests of hostile servers run in seconds.
 */
export interface HttpLimits {
  /**
   * The longest a JSON request (create, poll, list, delete) may take, headers and body together.
   * A create cut off by it leaves a job octo may not know about: the line stays "submitted" and
   * a later run looks for the job in the service's list before it creates another.
   */
  requestTimeoutMs: number;
  /** A download that brings fewer than `stallBytes` in this long (headers included) has stalled. */
  stallMs: number;
  stallBytes: number;
  /** The most bytes of a JSON answer octo reads; a longer one is refused. */
  maxJsonBytes: number;
  /** The longest Retry-After obeyed; a longer one is capped (and the message says so). */
  maxRetryAfterMs: number;
  /** How long a job may report a status octo does not know before polling stops with an error. */
  unknownStatusMs: number;
}

export const DEFAULT_HTTP_LIMITS: HttpLimits = {
  requestTimeoutMs: 30_000,
  stallMs: 15_000,
  stallBytes: 16 * 1024,
  maxJsonBytes: 4 * 1024 * 1024,
  maxRetryAfterMs: 5 * 60_000,
  unknownStatusMs: 60_000,
};

const ENV: Record<string, keyof HttpLimits> = {
  OCTO_HTTP_TIMEOUT_MS: 'requestTimeoutMs',
  OCTO_HTTP_STALL_MS: 'stallMs',
  OCTO_MAX_RETRY_AFTER_MS: 'maxRetryAfterMs',
  OCTO_UNKNOWN_STATUS_MS: 'unknownStatusMs',
};

/** The limits, with any the environment sets (whole milliseconds ≥ 100; anything else is ignored). */
export function httpLimitsFrom(env: Record<string, string | undefined>): HttpLimits {
  const limits = { ...DEFAULT_HTTP_LIMITS };
  for (const [name, key] of Object.entries(ENV)) {
    const value = env[name];
    if (value && /^\d+$/.test(value) && Number(value) >= 100) limits[key] = Number(value);
  }
  return limits;
}

/** `ms` as a person reads it: `300 s`, `5 min`, `2 h`. */
export function humanMs(ms: number): string {
  if (ms < 120_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 2 * 3_600_000) return `${Math.round(ms / 60_000)} min`;
  if (ms < 2 * 86_400_000) return `${Math.round(ms / 3_600_000)} h`;
  return `${Math.round(ms / 86_400_000).toLocaleString('en')} days`;
}
