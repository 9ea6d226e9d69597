import { FailureError, OctoError } from '../../core/errors.js';

/** A Postgres error as every driver reports it: SQLSTATE code, constraint, message. */
interface PgLikeError {
  code?: string;
  constraint?: string;
  message?: string;
  detail?: string;
}

/** A unique or foreign-key violation; callers turn it into a message about their own data. */
export class ConstraintError extends OctoError {
  readonly constraint: string | undefined;
  readonly sqlState: string;
  constructor(sqlState: string, constraint: string | undefined, message: string, cause: unknown) {
    super('failure', message, { cause });
    this.sqlState = sqlState;
    this.constraint = constraint;
  }
  get isUniqueViolation(): boolean {
    return this.sqlState === '23505';
  }
}

/**
 * The database refused the statement for lack of privilege (SQLSTATE 42501): with members
 * enabled, what a member role may not do (read a password hash, write a session row…).
 */
export class PermissionError extends OctoError {
  constructor(message: string, cause: unknown) {
    super('failure', message, {
      cause,
      hint: 'this database URL belongs to a member role (octo db members enable); the owner runs schema and member commands',
    });
  }
}

const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENOENT']);

/** Maps any driver's error to a typed one; SQL text and parameters never reach the message. */
export function toDbError(error: unknown, label: string): Error {
  if (error instanceof OctoError) return error;
  const e = (error ?? {}) as PgLikeError;
  const code = e.code ?? '';
  if (code.startsWith('23')) {
    return new ConstraintError(code, e.constraint, e.message ?? 'constraint violated', error);
  }
  if (code === '42501') return new PermissionError(`the database at ${label} refused: ${e.message ?? 'permission denied'}`, error);
  if (code === '42P01' || code === '42703' || code === '42883') {
    return new FailureError(`the database at ${label} is missing octo's schema (${e.message})`, {
      hint: 'run: octo db migrate',
      cause: error,
    });
  }
  if (CONNECTION_CODES.has(code) || /connect|ECONNREFUSED|getaddrinfo/i.test(e.message ?? '')) {
    return new FailureError(`cannot reach the database at ${label}: ${e.message ?? code}`, {
      hint: 'check --database-url / OCTO_DATABASE_URL, or that the server is running',
      cause: error,
    });
  }
  if (code === '28P01' || code === '28000') {
    return new FailureError(`the database at ${label} refused the credentials`, { cause: error });
  }
  return new FailureError(`database error: ${e.message ?? String(error)}`, { cause: error });
}
