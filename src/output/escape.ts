/**
 * The one escaping function for text that reaches a terminal (tables, records, messages,
 * progress, log lines, errors). Prompts, ids and failure reasons come from users and servers, and
 * a raw `ESC ]0;… BEL` or CSI in them would retitle, recolour or rewrite the terminal. `--json`
 * and CSV never go through this: they stay exact.
 *
 * Escaped: C0 controls (U+0000–U+001F) but the line breaks and tabs a caller keeps, DEL, C1
 * controls (U+0080–U+009F) and the bidirectional overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) that make text read in another order than it is stored.
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const UNSAFE_OR_BREAK = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escapeChar(c: string): string {
  const named = NAMED[c];
  if (named) return named;
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * `text` with every control character shown as a visible escape (`\e`, `\x07`, `\u202e`).
 * `keepLines`: line feeds and tabs pass (multi-line messages, hints); else they are escaped too
 * (one table cell, one progress line).
 */
export function escapeControl(text: string, o: { keepLines?: boolean } = {}): string {
  return text.replace(o.keepLines ? UNSAFE : UNSAFE_OR_BREAK, escapeChar);
}
