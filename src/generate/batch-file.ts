import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors.js';
import type { GenerationInput } from './plan.js';

/**
 * Batch files: one prompt per line, or JSON Lines with per-line overrides. Blank lines and lines
 * starting with `#` are skipped; line numbers are the file's own (1-based).
 */

export interface BatchLine {
  line: number;
  input: GenerationInput;
}

const FIELDS = new Set(['prompt', 'seconds', 'size', 'variants', 'image', 'profile', 'tag', 'tags']);

/** A bad line: `FILE:LINE: problem` (exit 2). */
export function lineError(file: string, line: number, problem: string): UsageError {
  return new UsageError(`${file}:${line}: ${problem}`, { hint: 'nothing was recorded or submitted; fix the line and run again' });
}

export function parseBatchFile(text: string, file: string): BatchLine[] {
  const out: BatchLine[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (!trimmed || trimmed.startsWith('#')) return;
    if (!trimmed.startsWith('{')) {
      out.push({ line, input: { prompt: trimmed } });
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
    out.push({ line, input });
  });
  return out;
}

/**
 * The batch id: a UUID derived from the file's absolute path and a hash of its content, so
 * `--resume` on the same file finds the same rows, and an edited file is a new batch.
 */
export function batchIdFor(absolutePath: string, content: string): string {
  const contentHash = createHash('sha256').update(content).digest('hex');
  const h = createHash('sha256').update(`octo-batch\0${absolutePath}\0${contentHash}`).digest('hex');
  // Shaped as a version-5-style UUID (the column is UUID).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
