import { UsageError } from './errors.js';

/**
 * Text octo is about to record must be storable: Postgres refuses NUL characters and invalid
 * Unicode (a lone surrogate), and the seed schema's VARCHAR columns have lengths. Checked before
 * anything is recorded, naming the field (exit 2), instead of a "database error" later.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function textProblem(value: string, max?: number): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character';
  if (LONE_SURROGATE.test(value)) return 'contains invalid Unicode (a lone surrogate)';
  if (max !== undefined && value.length > max) return `is ${value.length} characters long; at most ${max} fit`;
  return undefined;
}

export function checkText(field: string, value: string, max?: number): string {
  const problem = textProblem(value, max);
  if (problem) throw new UsageError(`${field} ${problem}`);
  return value;
}
