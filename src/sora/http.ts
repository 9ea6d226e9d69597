import { Agent, type FormData, request, type Dispatcher } from 'undici';
import type { Readable } from 'node:stream';
import {
  SoraAuthError,
  SoraDeploymentUnavailableError,
  SoraModerationError,
  SoraNetworkError,
  SoraNotFoundError,
  SoraRateLimitError,
  SoraServerError,
  SoraValidationError,
  type SoraError,
} from './errors.js';
import { contentLength, readCapped, requestSignal } from './http-body.js';
import { DEFAULT_HTTP_LIMITS, type HttpLimits, humanMs } from './limits.js';
import type { RequestInfo } from './types.js';

let sharedAgent: Agent | undefined;

/** One keep-alive pool for every client in the process (polling reuses the connection). */
export function soraAgent(): Agent {
  sharedAgent ??= new Agent({ keepAliveTimeout: 10_000, keepAliveMaxTimeout: 60_000, connections: 32 });
  return sharedAgent;
}

/** Closes the shared pool (tests, and long-lived embedders that want a clean exit). */
export async function closeSoraAgent(): Promise<void> {
  const agent = sharedAgent;
  sharedAgent = undefined;
  await agent?.close();
}

export interface TransportOptions {
  /** `{origin}/openai/v1`. */
  base: string;
  /** Sent as the `api-key` header; or, with `bearerToken`, `Authorization: Bearer` instead. */
  apiKey?: string;
  /** An Entra ID token source (cached by the caller). */
  bearerToken?: () => Promise<string>;
  dispatcher?: Dispatcher;
  /** Time to wait for response headers (default 60 s). */
  headersTimeoutMs?: number;
  /** Max idle time between body chunks (default 60 s). */
  bodyTimeoutMs?: number;
  /** Extra query parameters on every request, e.g. `{ 'api-version': 'preview' }`. */
  query?: Record<string, string>;
  /** Deadlines and caps for a server that misbehaves (defaults: DEFAULT_HTTP_LIMITS). */
  limits?: Partial<HttpLimits>;
  onRequest?: (info: RequestInfo) => void;
  userAgent?: string;
}

export interface SendOptions {
  query?: Record<string, string | number | undefined>;
  json?: unknown;
  form?: FormData;
  signal?: AbortSignal;
  headers?: Record<string, string>;
  /** Id the request concerns, copied into errors. */
  jobId?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable & { text(): Promise<string>; json(): Promise<unknown>; dump(): Promise<void> };
}

const UNSENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

function errnoOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let i = 0; i < 4 && e && typeof e === 'object'; i++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      // undici wraps connect failures; prefer the innermost system code.
      const inner = errnoOf((e as { cause?: unknown }).cause);
      return inner && UNSENT_CODES.has(inner) ? inner : code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export class Transport {
  readonly base: string;
  readonly limits: HttpLimits;
  constructor(private readonly o: TransportOptions) {
    this.base = o.base;
    this.limits = { ...DEFAULT_HTTP_LIMITS, ...o.limits };
  }

  url(path: string, query: Record<string, string | number | undefined> = {}): string {
    const url = new URL(this.base + path);
    for (const [k, v] of Object.entries({ ...this.o.query, ...query })) {
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url.toString();
  }

  /** One request; any status comes back (the caller decides). Network failures throw SoraNetworkError. */
  async raw(method: Dispatcher.HttpMethod, path: string, s: SendOptions = {}): Promise<RawResponse> {
    const url = this.url(path, s.query);
    const headers: Record<string, string> = {
      ...(this.o.bearerToken ? { authorization: `Bearer ${await this.o.bearerToken()}` } : { 'api-key': this.o.apiKey ?? '' }),
      'user-agent': this.o.userAgent ?? 'octo-cli',
      ...s.headers,
    };
    let body: string | FormData | undefined;
    if (s.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(s.json);
    } else if (s.form) {
      body = s.form;
    }
    const started = performance.now();
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method,
        headers,
        body,
        signal: s.signal,
        dispatcher: this.o.dispatcher ?? soraAgent(),
        headersTimeout: this.o.headersTimeoutMs ?? 60_000,
        bodyTimeout: this.o.bodyTimeoutMs ?? 60_000,
      });
    } catch (error) {
      this.o.onRequest?.({ method, url, status: 0, ms: Math.round(performance.now() - started) });
      if (s.signal?.aborted) throw error;
      const errno = errnoOf(error);
      const sent = !(errno && UNSENT_CODES.has(errno));
      // A timeout says how long it waited: "no answer in time" alone leaves the user guessing.
      const waited = errno && TIMEOUT_CODES.has(errno) ? ` (waited ${formatWait(performance.now() - started)})` : '';
      throw new SoraNetworkError(`${method} ${new URL(url).host}: ${networkWords(errno, (error as Error).message)}${waited}`, {
        sent,
        errno,
        cause: error,
        jobId: s.jobId,
      });
    }
    this.o.onRequest?.({ method, url, status: res.statusCode, ms: Math.round(performance.now() - started) });
    return { status: res.statusCode, headers: res.headers, body: res.body as RawResponse['body'] };
  }

  /**
   * A request whose 2xx answer is JSON (or empty); non-2xx become typed errors. The whole
   * exchange has a deadline (limits.requestTimeoutMs: a body trickled a byte at a time ends too)
   * and the answer a size cap (limits.maxJsonBytes), so no server holds octo or fills its memory.
   */
  async json<T = Record<string, unknown>>(method: Dispatcher.HttpMethod, path: string, s: SendOptions = {}): Promise<T> {
    const { maxJsonBytes } = this.limits;
    const requestTimeoutMs = this.limits.requestTimeoutMs + uploadAllowanceMs(s.form);
    const request = requestSignal(s.signal);
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      request.abort();
    }, requestTimeoutMs);
    const signal = request.signal;
    try {
      const res = await this.raw(method, path, { ...s, signal });
      if (res.status < 200 || res.status >= 300) throw await errorFromResponse(res, `${method} ${path}`, s.jobId, this.limits.maxRetryAfterMs);
      const body = await readCapped(res.body, maxJsonBytes, 'refuse', contentLength(res.headers));
      if (!body) {
        throw new SoraServerError(
          `${method} ${path}: the service's answer is larger than the ${maxJsonBytes / 1024 / 1024} MiB of JSON octo reads; it was not read further`,
          { status: res.status, jobId: s.jobId },
        );
      }
      const text = body.toString('utf8');
      if (!text) return undefined as T;
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new SoraServerError(`${method} ${path}: the service answered ${res.status} with a body that is not JSON`, {
          status: res.status,
          jobId: s.jobId,
        });
      }
    } catch (error) {
      if (late && !s.signal?.aborted) {
        // The request left: a create may have been processed (the caller looks before resending).
        throw new SoraNetworkError(`${method} ${new URL(this.base).host}${path}: no complete answer within ${humanMs(requestTimeoutMs)}`, {
          sent: true,
          errno: 'ETIMEDOUT',
          cause: error,
          jobId: s.jobId,
        });
      }
      throw error;
    } finally {
      clearTimeout(timer);
      request.release();
    }
  }
}

/** The slowest upload octo waits for: a create's image on a poor uplink still gets through. */
const MIN_UPLOAD_BYTES_PER_S = 64 * 1024;

/** Time to add to a request's deadline for the files in its form (an image-to-video create). */
export function uploadAllowanceMs(form: FormData | undefined): number {
  let bytes = 0;
  for (const [, value] of form?.entries() ?? []) if (typeof value !== 'string') bytes += value.size;
  return uploadAllowanceForBytes(bytes);
}

/** The same allowance for `bytes` of files. */
export function uploadAllowanceForBytes(bytes: number): number {
  return Math.ceil((bytes / MIN_UPLOAD_BYTES_PER_S) * 1000);
}

/**
 * The longest a create request can live, from the moment octo sent it: the request deadline
 * plus the allowance for its files. A create that has not reached the service by then never
 * will from this process (its deadline aborted it, or the process is gone and its socket with it).
 */
export function createHardCapMs(limits: Pick<HttpLimits, 'requestTimeoutMs'>, uploadBytes: number): number {
  return limits.requestTimeoutMs + uploadAllowanceForBytes(uploadBytes);
}

function header(headers: RawResponse['headers'], name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/**
 * `retry-after-ms` (Azure) wins over `Retry-After` (seconds or an HTTP date). Negative, zero or
 * garbage values count as absent: Azure sometimes sends -1 (openai-dotnet#838).
 */
export function retryAfterMs(headers: RawResponse['headers'], now = Date.now()): number | null {
  const ms = Number(header(headers, 'retry-after-ms'));
  if (Number.isFinite(ms) && ms > 0) return ms;
  const ra = header(headers, 'retry-after');
  if (ra === undefined) return null;
  const secs = Number(ra);
  if (Number.isFinite(secs)) return secs > 0 ? secs * 1000 : null;
  const date = Date.parse(ra);
  return Number.isFinite(date) && date > now ? date - now : null;
}

interface ErrorFields {
  code?: string;
  message?: string;
  param?: string;
  innerCode?: string;
}

/** Reads both envelopes: `{error:{code,message,innererror}}` and the bare `{code,message,inner_error}`. */
export function parseErrorBody(text: string): ErrorFields {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text.trim() ? { message: text.trim().slice(0, 300) } : {};
  }
  if (!body || typeof body !== 'object') return {};
  const outer = body as Record<string, unknown>;
  const e = (outer.error && typeof outer.error === 'object' ? outer.error : outer) as Record<string, unknown>;
  const inner = (e.inner_error ?? e.innererror ?? e.innerError) as Record<string, unknown> | undefined;
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    code: str(e.code),
    message: str(e.message) ?? (typeof outer.error === 'string' ? outer.error : undefined),
    param: str(e.param),
    innerCode: inner && typeof inner === 'object' ? str(inner.code) : undefined,
  };
}

const MODERATION_CODES = new Set([
  'content_filter',
  'contentfilter',
  'responsibleaipolicyviolation',
  'moderation',
  'moderation_blocked',
  'input_moderation',
  'output_moderation',
  'content_policy_violation',
]);

export function isModerationCode(code: string | null | undefined): boolean {
  return !!code && MODERATION_CODES.has(code.toLowerCase());
}

/** Codes a retired model's deployment has been seen to answer with (Azure and OpenAI spell them differently). */
const RETIRED_CODES = /^(model_?deprecated|service_?model_?deprecated|model_?retired|model_not_available)$/i;

/**
 * Whether an answer says the deployment itself is missing or runs a retired model. Azure
 * documents neither body exactly, so both readings are tolerated: a 410, a code saying the model
 * is deprecated or retired, or a message saying so; a 404 naming "the API deployment" that "does
 * not exist" (or code DeploymentNotFound).
 */
export function deploymentUnavailable(status: number, f: ErrorFields): { reason: 'missing' | 'retired'; deployment?: string } | null {
  const message = f.message ?? '';
  // Azure deployment names are letters, digits, '-', '_' and '.': anything else is not taken as one.
  const deployment = /deployment '([\w.-]{1,255})'/i.exec(message)?.[1];
  if (status === 410 || (f.code && RETIRED_CODES.test(f.code)) || ([400, 404].includes(status) && /\bmodel\b[^.]*\b(deprecated|retired)\b/i.test(message))) {
    return { reason: 'retired', deployment };
  }
  if (status === 404 && (f.code?.toLowerCase() === 'deploymentnotfound' || /\bAPI deployment\b.*\bdoes not exist\b/i.test(message))) {
    return { reason: 'missing', deployment };
  }
  return null;
}

/** How much of an error body is read: enough for any real one; the rest is never read. */
const ERROR_BODY_BYTES = 64 * 1024;

/**
 * Turns a non-2xx answer into the matching typed error. The message never includes the API key.
 * A Retry-After longer than `maxRetryAfterMs` is capped: a server (or anyone in the middle)
 * asking for years must not stop every process on the resource for years.
 */
export async function errorFromResponse(
  res: RawResponse,
  what: string,
  jobId?: string,
  maxRetryAfterMs = DEFAULT_HTTP_LIMITS.maxRetryAfterMs,
): Promise<SoraError> {
  let text = '';
  try {
    text = (await readCapped(res.body, ERROR_BODY_BYTES, 'truncate'))?.toString('utf8') ?? '';
  } catch {
    // A body that breaks is no worse than an empty one here.
  }
  const f = parseErrorBody(text);
  const status = res.status;
  const requestId = header(res.headers, 'apim-request-id') ?? header(res.headers, 'x-request-id');
  const detail = f.message ? `: ${f.message}` : '';
  const o = { status, apiCode: f.code, requestId, jobId };
  if (isModerationCode(f.code) || isModerationCode(f.innerCode)) {
    return new SoraModerationError(`refused by content moderation (${f.innerCode ?? f.code})${detail}`, o);
  }
  const unavailable = deploymentUnavailable(status, f);
  if (unavailable) {
    const name = unavailable.deployment ? `deployment '${unavailable.deployment}'` : 'the deployment';
    const said = `${status}${f.code ? ` ${f.code}` : ''}`;
    return new SoraDeploymentUnavailableError(
      unavailable.reason === 'missing'
        ? `${what}: ${name} does not exist on this resource (${said})`
        : `${what}: the model of ${name} is retired: the service refuses every request on it (${said}${detail})`,
      { ...o, ...unavailable },
    );
  }
  if (status === 401 || status === 403) {
    return new SoraAuthError(`${what}: the service refused the credential (${status})${detail}`, o);
  }
  if (status === 429) {
    const asked = retryAfterMs(res.headers);
    const capped = asked !== null && asked > maxRetryAfterMs;
    return new SoraRateLimitError(`${what}: rate limited (429)${detail}`, {
      ...o,
      retryAfterMs: capped ? maxRetryAfterMs : asked,
      askedRetryAfterMs: capped ? asked : null,
    });
  }
  if (status === 404) {
    return new SoraNotFoundError(`${what}: not found (404)${detail}`, o);
  }
  if (status === 400 || status === 422 || status === 413 || status === 415) {
    return new SoraValidationError(`the service rejected the request (${status}${f.code ? ` ${f.code}` : ''})${detail}`, {
      ...o,
      param: f.param,
    });
  }
  return new SoraServerError(`${what}: the service answered ${status}${detail}`, o);
}

/** What a network failure means, in words: never a library's code (UND_ERR_HEADERS_TIMEOUT) alone. */
const NETWORK_WORDS: Record<string, string> = {
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name was not found',
  EAI_AGAIN: 'the host name could not be looked up (DNS)',
  EHOSTUNREACH: 'the host is unreachable',
  ENETUNREACH: 'the network is unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'no connection could be made in time',
  UND_ERR_HEADERS_TIMEOUT: 'the service sent no answer in time',
  UND_ERR_BODY_TIMEOUT: 'the service stopped sending its answer',
  UND_ERR_SOCKET: 'the connection closed before the answer',
  ECONNRESET: 'the connection was reset',
  EPIPE: 'the connection closed while sending',
  ETIMEDOUT: 'the connection timed out',
  UND_ERR_ABORTED: 'the request was stopped',
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate is for another name",
  DEPTH_ZERO_SELF_SIGNED_CERT: "the server's certificate is self-signed",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the server's certificate could not be verified",
  CERT_HAS_EXPIRED: "the server's certificate has expired",
};

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);
const formatWait = (ms: number) => (ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`);

export function networkWords(errno: string | undefined, fallback: string): string {
  if (!errno) return fallback;
  return NETWORK_WORDS[errno] ?? `the request failed (${errno})`;
}
