import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import { textProblem } from '../core/text.js';
import type { GenerationInput } from './plan.js';

/**
 * Batch files: one prompt per line, or JSON Lines with per-line overrides. Blank lines and lines
 * starting with `#` are skipped; line numbers are the file's own (1-based).
 */

export interface BatchLine {
  line: number;
  input: GenerationInput;
  /** The line's identity in its batch: a hash of its text, and which occurrence of that text it is. */
  key: string;
}

const FIELDS = new Set(['prompt', 'seconds', 'size', 'variants', 'image', 'profile', 'tag', 'tags']);

/** A bad line: `FILE:LINE: problem` (exit 2). */
export function lineError(file: string, line: number, problem: string): UsageError {
  return new UsageError(`${file}:${line}: ${problem}`, { hint: 'nothing was recorded or submitted; fix the line and run again' });
}

/**
 * The text of a batch file: UTF-8 (a byte-order mark is dropped), or UTF-16 with its byte-order
 * mark. Anything else holding NUL bytes (a binary file, UTF-16 without a mark) or invalid UTF-8
 * is refused (exit 2): reading it as text would record garbage as prompts.
 */
export function decodeBatchFile(bytes: Uint8Array, file: string): string {
  const refuse = (why: string) =>
    new UsageError(`${file}: ${why}`, { hint: 'save it as UTF-8 text, one prompt (or JSON object) per line; nothing was recorded or submitted' });
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  if (bytes.includes(0)) throw refuse('is not a text file (it holds NUL bytes: binary, or UTF-16 without a byte-order mark)');
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw refuse('is not valid UTF-8 text');
  }
}

export function parseBatchFile(text: string, file: string): BatchLine[] {
  const out: BatchLine[] = [];
  const seen = new Map<string, number>();
  const keyOf = (trimmed: string) => {
    const h = createHash('sha256').update(trimmed).digest('hex').slice(0, 24);
    const n = (seen.get(h) ?? 0) + 1;
    seen.set(h, n);
    return `${h}:${n}`;
  };
  // \r\n, \n, and a lone \r (old Mac files) all end a line.
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    if (trimmed.startsWith('[')) throw lineError(file, line, 'expected one JSON object per line (JSON Lines), not an array');
    if (!trimmed.startsWith('{')) {
      const problem = textProblem(trimmed);
      if (problem) throw lineError(file, line, `the prompt ${problem}`);
      out.push({ line, input: { prompt: trimmed }, key: keyOf(trimmed) });
      return;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw lineError(file, line, `invalid JSON (${(error as Error).message})`);
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw lineError(file, line, 'expected a JSON object');
    const obj = parsed as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!FIELDS.has(key)) throw lineError(file, line, `unknown field "${key}" (allowed: prompt, seconds, size, variants, image, profile, tag)`);
    }
    if (typeof obj.prompt !== 'string' || !obj.prompt.trim()) throw lineError(file, line, '"prompt" must be a non-empty string');
    for (const [k, v] of Object.entries(obj)) {
      const problem = typeof v === 'string' ? textProblem(v) : undefined;
      if (problem) throw lineError(file, line, `"${k}" ${problem}`);
    }
    const input: GenerationInput = { prompt: obj.prompt };
    for (const key of ['seconds', 'variants'] as const) {
      const v = obj[key];
      if (v === undefined) continue;
      if (typeof v !== 'number' && typeof v !== 'string') throw lineError(file, line, `"${key}" must be a number`);
      input[key] = v;
    }
    for (const key of ['size', 'image', 'profile'] as const) {
      const v = obj[key];
      if (v === undefined) continue;
      if (typeof v !== 'string' || !v.trim()) throw lineError(file, line, `"${key}" must be a non-empty string`);
      input[key] = v;
    }
    const tag = obj.tag ?? obj.tags;
    if (tag !== undefined) {
      if (!tag || typeof tag !== 'object' || Array.isArray(tag)) throw lineError(file, line, '"tag" must be an object of strings, e.g. {"campaign":"q4"}');
      const tags: Record<string, string> = {};
      for (const [k, v] of Object.entries(tag)) {
        if (typeof v !== 'string' && typeof v !== 'number') throw lineError(file, line, `tag "${k}" must be a string`);
        tags[k] = String(v);
      }
      input.tags = tags;
    }
    out.push({ line, input, key: keyOf(trimmed) });
  });
  return out;
}

/**
 * The batch id: a UUID derived from the file's absolute path (stdin: from its content, as it has no
 * name). Each line is identified within it by its content (BatchLine.key), so an edited or
 * appended file keeps the rows of the lines it still has, and `--resume` runs only what is new.
 */
export function batchIdFor(absolutePath: string, content: string): string {
  const identity = absolutePath === '-' ? `-\0${createHash('sha256').update(content).digest('hex')}` : absolutePath;
  const h = createHash('sha256').update(`octo-batch\0${identity}`).digest('hex');
  // Shaped as a version-5-style UUID (the column is UUID).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
