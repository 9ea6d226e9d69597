/**
 * Typed errors. Commands throw these; `src/cli/exit-codes.ts` maps them to exit codes and
 * `src/cli/main.ts` renders them. Nothing else decides how a failure ends the process.
 */

export type ErrorCode = 'failure' | 'usage' | 'not_found' | 'auth' | 'budget_exceeded' | 'batch_failed' | 'generation_failed' | 'still_running' | 'interrupted';

export class OctoError extends Error {
  readonly code: ErrorCode;
  readonly hint?: string;
  constructor(code: ErrorCode, message: string, options: { hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.hint = options.hint;
  }
}

/** Bad flag, bad value or bad input file (exit 2). */
export class UsageError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('usage', message, options);
  }
}

/** Something the user named does not exist, or is not theirs (exit 3). */
export class NotFoundError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('not_found', message, options);
  }
}

/** Wrong credentials, no session, expired or revoked session (exit 4). */
export class AuthError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('auth', message, { hint: 'run: octo login', ...options });
  }
}

/** The monthly budget would be passed (exit 5). */
export class BudgetError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('budget_exceeded', message, options);
  }
}

/** The service refused or failed a generation: moderation, internal error (exit 7). */
export class GenerationFailedError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('generation_failed', message, options);
  }
}

/** A job is still running when `--no-wait` or a timeout returned (exit 8). */
export class StillRunningError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('still_running', message, options);
  }
}

/** Ctrl-C (exit 130). */
export class InterruptedError extends OctoError {
  constructor(message = 'interrupted', options: { hint?: string; cause?: unknown } = {}) {
    super('interrupted', message, options);
  }
}

/** Network, database or unexpected failure that the user can act on (exit 1). */
export class FailureError extends OctoError {
  constructor(message: string, options: { hint?: string; cause?: unknown } = {}) {
    super('failure', message, options);
  }
}

/**
 * A profile's settings were tried with one request before being stored, and the service (or the
 * way to it) refused: nothing was stored. The code is the refusal's (auth, not_found, failure…).
 */
export class ProfileCheckError extends OctoError {
  readonly profile: string;
  constructor(profile: string, cause: unknown, options: { hint?: string } = {}) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(cause instanceof OctoError ? cause.code : 'failure', `profile ${profile} does not work: ${reason}`, { ...options, cause });
    this.profile = profile;
  }
}
