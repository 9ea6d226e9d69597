import { FailureError, GenerationFailedError, InterruptedError, NotFoundError, type OctoError, StillRunningError, UsageError } from '../core/errors.js';

/**
 * Errors the Sora client throws. Each extends the CLI error whose exit code fits, so commands can
 * rethrow them untouched. Messages never carry an API key: they are built from the service's
 * answer (which never echoes the key) and from URLs without secrets.
 */

export interface SoraErrorDetails {
  /** HTTP status, when the service answered. */
  status?: number;
  /** The service's error code (`error.code`, `failure_reason`), when it gave one. */
  apiCode?: string;
  /** `apim-request-id` / `x-request-id` of the failing response, for support tickets. */
  requestId?: string;
  /** Job or video id the error concerns. */
  jobId?: string;
  hint?: string;
  cause?: unknown;
}

type Opts = SoraErrorDetails;

type CliErrorClass = new (message: string, options?: { hint?: string; cause?: unknown }) => OctoError;

/** `Base` (whose exit code fits) plus the details every Sora HTTP error carries. */
function withDetails(Base: CliErrorClass) {
  return class extends Base {
    readonly status?: number;
    readonly apiCode?: string;
    readonly requestId?: string;
    readonly jobId?: string;
    constructor(message: string, o: Opts = {}) {
      super(message, { hint: o.hint, cause: o.cause });
      this.status = o.status;
      this.apiCode = o.apiCode;
      this.requestId = o.requestId;
      this.jobId = o.jobId;
    }
  };
}

/** Azure rejected the key (401/403): a profile problem, not an `octo login` problem, so exit 1. */
export class SoraAuthError extends withDetails(FailureError) {
  constructor(message: string, o: Opts = {}) {
    super(message, { ...o, hint: o.hint ?? "check the profile's API key and endpoint (octo profile test)" });
  }
}

/**
 * 429. `retryAfterMs` is what the service asked for (`retry-after-ms`, `Retry-After`), if
 * anything, capped; `askedRetryAfterMs` is the ask itself when it was over the cap.
 */
export class SoraRateLimitError extends withDetails(FailureError) {
  readonly retryAfterMs: number | null;
  readonly askedRetryAfterMs: number | null;
  constructor(message: string, o: Opts & { retryAfterMs?: number | null; askedRetryAfterMs?: number | null } = {}) {
    super(message, { ...o, hint: o.hint ?? 'the Azure quota was hit; wait and retry, or lower --concurrency' });
    this.retryAfterMs = o.retryAfterMs ?? null;
    this.askedRetryAfterMs = o.askedRetryAfterMs ?? null;
  }
}

/** Content filter at create time, or a job that failed input/output moderation (exit 7). */
export class SoraModerationError extends withDetails(GenerationFailedError) {
  constructor(message: string, o: Opts = {}) {
    super(message, { ...o, hint: o.hint ?? 'the prompt or image was refused by content moderation; rephrase it' });
  }
}

/** A job that ended `failed` for another reason (internal_error, …) or `cancelled` (exit 7). */
export class SoraJobFailedError extends withDetails(GenerationFailedError) {}

/** 400 from the service, or a request our own validation refused before sending (exit 2). */
export class SoraValidationError extends withDetails(UsageError) {
  /** The request field at fault (`size`, `seconds`, …), when known. */
  readonly param?: string;
  constructor(message: string, o: Opts & { param?: string } = {}) {
    super(message, o);
    this.param = o.param;
  }
}

/** 404: the job/video does not exist (any more: assets expire after 24 h) (exit 3). */
export class SoraNotFoundError extends withDetails(NotFoundError) {}

/**
 * The service refused the request because of the deployment it names, before anything was
 * created or billed: `missing`, the resource has no deployment of that name (Azure: 404 "The API
 * deployment 'NAME' for this resource does not exist…"); `retired`, the deployment's model is
 * retired (Azure: "deployments of a retired model always return error responses"; seen as 410
 * ModelDeprecated). Neither is an outage or a bad endpoint: the endpoint and key answered (exit 3).
 */
export class SoraDeploymentUnavailableError extends withDetails(NotFoundError) {
  readonly reason: 'missing' | 'retired';
  /** The deployment the service named, when it named one. */
  readonly deployment?: string;
  constructor(message: string, o: Opts & { reason: 'missing' | 'retired'; deployment?: string }) {
    super(message, o);
    this.reason = o.reason;
    this.deployment = o.deployment;
  }
}

/** 5xx, an unexpected status, or a transfer that broke (exit 1). */
export class SoraServerError extends withDetails(FailureError) {}

/** No HTTP answer at all (refused, reset, DNS, timeout). `sent` says whether bytes may have left. */
export class SoraNetworkError extends withDetails(FailureError) {
  /** False only when the request provably never reached the server (e.g. ECONNREFUSED). */
  readonly sent: boolean;
  readonly errno?: string;
  constructor(message: string, o: Opts & { sent: boolean; errno?: string }) {
    super(message, { ...o, hint: o.hint ?? 'check the network and the profile endpoint' });
    this.sent = o.sent;
    this.errno = o.errno;
  }
}

/** Polling gave up before the job finished; the job keeps running remotely (exit 8). */
export class SoraTimeoutError extends StillRunningError {
  readonly jobId?: string;
  constructor(message: string, o: Opts = {}) {
    super(message, { hint: o.hint, cause: o.cause });
    this.jobId = o.jobId;
  }
}

/** Polling was aborted (Ctrl-C); the job keeps running remotely (exit 130). */
export class SoraAbortedError extends InterruptedError {
  readonly jobId?: string;
  constructor(message: string, o: Opts = {}) {
    super(message, { hint: o.hint, cause: o.cause });
    this.jobId = o.jobId;
  }
}

export type SoraError =
  | SoraAuthError
  | SoraRateLimitError
  | SoraModerationError
  | SoraJobFailedError
  | SoraValidationError
  | SoraNotFoundError
  | SoraDeploymentUnavailableError
  | SoraServerError
  | SoraNetworkError;

/** Worth retrying for an idempotent request (GET/HEAD/DELETE): 5xx, 429, network trouble. */
export function isTransient(error: unknown): boolean {
  if (error instanceof SoraRateLimitError) return true;
  if (error instanceof SoraNetworkError) return true;
  if (error instanceof SoraServerError) return error.status === undefined || error.status >= 500 || error.status === 408;
  return false;
}
