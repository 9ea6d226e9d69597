import type { Writable } from 'node:stream';
import { escapeControl } from './escape.js';

/** Everything that is not data goes to stderr, so stdout stays parseable when piped or `--json`. */
export interface Logger {
  /** Progress and notices for people; silenced by --quiet and by --json. */
  info(line: string): void;
  warn(line: string): void;
  /** Timing lines with --debug / OCTO_DEBUG=1. Callers pass no secrets; redact() runs anyway. */
  debug(line: string): void;
  readonly debugEnabled: boolean;
}

const SECRET_PATTERNS: [RegExp, string][] = [
  [/(postgres(?:ql)?:\/\/[^:/@\s]+:)[^@\s]+@/gi, '$1****@'],
  [/(api[-_]?key[=:]\s*)[^\s&"]+/gi, '$1****'],
  [/(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g, '$1****'],
  [/eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+/g, '<jwt>'],
];

export function redact(line: string): string {
  return SECRET_PATTERNS.reduce((text, [pattern, replacement]) => text.replace(pattern, replacement), line);
}

export function createLogger(stderr: Writable, options: { quiet: boolean; debug: boolean; color: boolean }): Logger {
  const dim = (text: string) => (options.color ? `\u001b[2m${text}\u001b[22m` : text);
  const yellow = (text: string) => (options.color ? `\u001b[33m${text}\u001b[39m` : text);
  return {
    debugEnabled: options.debug,
    info: (line) => {
      if (!options.quiet) stderr.write(`${escapeControl(line, { keepLines: true })}\n`);
    },
    warn: (line) => stderr.write(`${yellow('warning:')} ${escapeControl(line, { keepLines: true })}\n`),
    debug: (line) => {
      if (options.debug) {
        // Milliseconds since the process started, so start-up cost shows too.
        const at = performance.now().toFixed(1).padStart(7);
        stderr.write(`${dim(`[debug ${at} ms] ${escapeControl(redact(line), { keepLines: true })}`)}\n`);
      }
    },
  };
}
