import type { Io } from '../core/io.js';
import { OctoError } from '../core/errors.js';
import { escapeControl } from './escape.js';
import { redact } from './logger.js';

/** How a failure looks: `{"error":{code,message,hint}}` on stdout with --json, else on stderr. */
export function renderError(error: unknown, io: Io, options: { json: boolean; debug: boolean }): void {
  const known = error instanceof OctoError;
  const code = known ? error.code : 'failure';
  const message = redact(error instanceof Error ? error.message : String(error));
  const hint = known && error.hint ? redact(error.hint) : undefined;
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ error: { code, message, hint: hint ?? null } }, null, 2)}\n`);
    return;
  }
  // JSON above stays exact; a terminal sees server text with its control characters escaped.
  io.stderr.write(`error: ${escapeControl(message, { keepLines: true })}\n`);
  if (hint) io.stderr.write(`${escapeControl(hint, { keepLines: true })}\n`);
  if (options.debug && error instanceof Error && error.stack) io.stderr.write(`${escapeControl(redact(error.stack), { keepLines: true })}\n`);
  else if (!known) io.stderr.write('(unexpected; run with --debug for details)\n');
}
