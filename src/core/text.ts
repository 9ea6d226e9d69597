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

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/**
 * A word from a server quoted in an error message: in double quotes, at most `max` characters,
 * control characters and bidirectional overrides as `\uXXXX`, so it can neither rewrite the
 * terminal nor pass for octo's own words.
 */
export function quoted(text: string, max = 64): string {
  // A code point is at most two UTF-16 units: this slice holds more than `max` of them if the text does.
  const head = [...text.slice(0, max * 2 + 2)];
  const cut = head.length > max ? `${head.slice(0, max).join('')}…` : head.join('');
  const shown = cut.replace(/["\\]/g, (c) => `\\${c}`).replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `"${shown}"`;
}

/**
 * A word as one shell argument in a command octo suggests (`octo profile use NAME`): as it is
 * when no shell would read anything into it, else in single quotes, so a copied hint runs as shown.
 */
export function shellArg(word: string): string {
  return /^[A-Za-z0-9_./-][A-Za-z0-9_./:=@%+,-]*$/.test(word) ? word : `'${word.replace(/'/g, "'\\''")}'`;
}
