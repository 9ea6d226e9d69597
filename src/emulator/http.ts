import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Family } from './types.js';

/** HTTP helpers shared by both API families: error envelopes, body parsing, JSON replies. */

export const AUTH_MESSAGE =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

/** Thrown by a handler; the server answers with its status, body and headers. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

/**
 * The error envelope each family documents: sora-1 bare, sora-2 wrapped in `error`. The jobs
 * API's published schema has no null for `param` or `inner_error`, so sora-1 leaves out what it
 * does not have; the videos API follows OpenAI's envelope, where `param` is null when no field is
 * at fault.
 */
export function errorBody(family: Family, code: string, message: string, extra: Record<string, unknown> = {}) {
  if (family === 'sora-1') return withoutNulls({ code, message, type: 'invalid_request_error', ...extra });
  return { error: { code, message, param: null, type: 'invalid_request_error', ...extra } };
}

/** `o` without its null or undefined fields. */
export function withoutNulls<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null && v !== undefined)) as Partial<T>;
}

export const bad = (family: Family, message: string, param: string | null = null, code = 'invalid_request_error') =>
  new HttpError(400, errorBody(family, code, message, { param }));

export const notFound = (family: Family, what: string) => new HttpError(404, errorBody(family, 'NotFound', `${what} not found`, { type: 'not_found_error' }));

/** Writes a JSON body (or none) with its length. */
export function sendJson(res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}) {
  if (body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
  res.end(text);
}

function readBody(req: IncomingMessage, limit = 32 * 1024 * 1024): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpError(413, { error: { code: 'request_too_large', message: 'request body too large' } }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export interface ParsedBody {
  fields: Record<string, string>;
  files: { field: string; filename: string; type: string; size: number }[];
  multipart: boolean;
}

/** A create's body, JSON or multipart, as string fields plus the uploaded files' metadata. */
export async function parseBody(family: Family, req: IncomingMessage): Promise<ParsedBody> {
  const raw = await readBody(req);
  const type = String(req.headers['content-type'] ?? '');
  if (type.startsWith('multipart/form-data')) {
    let form: FormData;
    try {
      form = await new Request('http://emulator.local/', { method: 'POST', headers: { 'content-type': type }, body: raw as unknown as BodyInit }).formData();
    } catch {
      throw bad(family, 'could not parse the multipart body');
    }
    const fields: Record<string, string> = {};
    const files: ParsedBody['files'] = [];
    for (const [k, v] of form.entries()) {
      if (typeof v === 'string') fields[k] = v;
      else files.push({ field: k, filename: (v as File).name, type: v.type, size: v.size });
    }
    return { fields, files, multipart: true };
  }
  if (raw.length === 0) return { fields: {}, files: [], multipart: false };
  let json: unknown;
  try {
    json = JSON.parse(raw.toString('utf8'));
  } catch {
    throw bad(family, 'the request body is not valid JSON');
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw bad(family, 'the request body must be a JSON object');
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(json as Record<string, unknown>)) {
    // sora-2 rejects a numeric `seconds` (invalid_type).
    if (family === 'sora-2' && k === 'seconds' && typeof v !== 'string')
      throw bad(family, "Invalid type for 'seconds': expected a string", 'seconds', 'invalid_type');
    fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { fields, files: [], multipart: false };
}

/** Whole numbers, also when sent as strings (real clients do). */
export function intField(family: Family, fields: Record<string, string>, name: string, fallback?: number): number {
  const v = fields[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw bad(family, `'${name}' is required`, name, 'missing_required_parameter');
  }
  if (!/^\d+$/.test(v.trim())) throw bad(family, `'${name}' must be an integer, got ${v}`, name, 'invalid_type');
  return Number(v);
}
