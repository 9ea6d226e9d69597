import type { Io } from '../core/io.js';
import { OctoError, type ErrorCode } from '../core/errors.js';
import { escapeControl } from './escape.js';
import { redact } from './logger.js';

export interface ErrorObject {
  code: ErrorCode;
  message: string;
  hint: string | null;
}

/** What `--json` prints under `error` (and what an MCP tool error carries), secrets redacted. */
export function errorObject(error: unknown): ErrorObject {
  const known = error instanceof OctoError;
  return {
    code: known ? error.code : 'failure',
    message: redact(error instanceof Error ? error.message : String(error)),
    hint: known && error.hint ? redact(error.hint) : null,
  };
}

/** How a failure looks: `{"error":{code,message,hint}}` on stdout with --json, else on stderr. */
export function renderError(error: unknown, io: Io, options: { json: boolean; debug: boolean }): void {
  const known = error instanceof OctoError;
  const { code, message, hint } = errorObject(error);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ error: { code, message, hint } }, null, 2)}\n`);
    return;
  }
  // JSON above stays exact; a terminal sees server text with its control characters escaped.
  io.stderr.write(`error: ${escapeControl(message, { keepLines: true })}\n`);
  if (hint) io.stderr.write(`${escapeControl(hint, { keepLines: true })}\n`);
  if (options.debug && error instanceof Error && error.stack) io.stderr.write(`${escapeControl(redact(error.stack), { keepLines: true })}\n`);
  else if (!known) io.stderr.write('(unexpected; run with --debug for details)\n');
}
