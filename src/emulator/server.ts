import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { jpegBody, mp4Body, webpBody } from './media.js';
import { seededRandom } from './rng.js';

/**
 * A local server that answers like both Sora APIs (sora-api.md §6): the sora-1 jobs API under
 * /openai/v1/video/generations and the sora-2 videos API under /openai/v1/videos. Job progress is
 * computed from the clock on each request (no timers), so a paused test sees consistent state.
 */

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /** When set, requests need `api-key: KEY` or `Authorization: Bearer KEY`; else any key passes. */
  apiKey?: string;
  /** Time scale: at 1 a job takes 20–60 s; at 100, 0.2–0.6 s. */
  speed?: number;
  /** Exact job duration (overrides speed), for benchmarks and tests. */
  jobMs?: number;
  /** Fraction of jobs that end `failed` with internal_error. */
  failRate?: number;
  /** Fraction of polling GETs (job, list) answered 500. */
  errorRate?: number;
  /** Seed for everything random (durations, failures, injected 500s). */
  seed?: number;
  /** Creates per window (per API family) before 429 + Retry-After; off when unset. */
  rateLimit?: number;
  /** Rate-limit window (default 60 000 ms). */
  rateLimitWindowMs?: number;
  /** sora-1 jobs running at once; the rest stay queued (default 2). */
  maxConcurrent?: number;
  /** A prompt containing this word (case-insensitive) is refused (default "forbidden"). */
  moderate?: string;
  /** `job` (default): the job fails with input_moderation; `create`: the create answers 400 content_filter. */
  moderationMode?: 'job' | 'create';
  /** Size of each MP4 body (default 4096 bytes). Streamed, never allocated whole. */
  videoBytes?: number;
  /** A GET of a job this young (ms since create) answers 404. Default: 1000 / speed (capped by jobMs / 10). */
  early404Ms?: number;
  /** Content of a job that finished this recently (ms) answers 404 (default 0). */
  contentEarly404Ms?: number;
  /** Cut the connection mid-body on this many video downloads (default 0; Infinity for all). */
  cutDownloads?: number;
  /** Jobs and their content vanish (404) this long after creation; expires_at follows (default 24 h). */
  expireAfterMs?: number;
  /**
   * Called synchronously when a job is created, before the response is sent (tests use it to
   * kill a client between the create and its answer).
   */
  onCreate?: (job: { id: string; family: 'sora-1' | 'sora-2'; prompt: string }) => void;
  /** Called with one line per request (`octo emulator --verbose`). */
  log?: (line: string) => void;
  /** Clock (tests). */
  now?: () => number;
}

export interface EmulatorStats {
  /** Every request, including refused ones. */
  total: number;
  /** By route, e.g. `POST /video/generations/jobs`, `GET /videos/{id}`. */
  requests: Record<string, number>;
  /** By status code. */
  responses: Record<string, number>;
  /** Jobs actually created (a 400/401/429 create is not one). */
  creates: { 'sora-1': number; 'sora-2': number };
  remixes: number;
  /** The most sora-1 jobs ever out of the queue at once. */
  maxRunningSora1: number;
}

export interface Emulator {
  /** `http://127.0.0.1:PORT` — what `profile add --endpoint` takes. */
  url: string;
  port: number;
  /** A snapshot of the counters. */
  readonly stats: EmulatorStats;
  resetStats(): void;
  close(): Promise<void>;
}

type Family = 'sora-1' | 'sora-2';

interface EmJob {
  family: Family;
  id: string;
  createdAt: number;
  prompt: string;
  model: string;
  width: number;
  height: number;
  seconds: number;
  variants: number;
  durationMs: number;
  queueMs: number;
  /** When the job leaves the queue (sora-1: when a slot frees). */
  startedAt: number | null;
  finishedAt: number | null;
  /** How long after start the job ends (moderation ends it early). */
  runMs: number;
  outcome: 'succeeded' | 'failed';
  failureCode: string | null;
  failureMessage: string | null;
  generations: string[];
  remixedFrom: string | null;
  inpaintItems: unknown[] | null;
  hasInputReference: boolean;
}

const AUTH_MESSAGE =
  'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.';

const SORA1_SIZES = new Set(['480x480', '480x854', '854x480', '720x720', '720x1280', '1280x720', '1080x1080', '1080x1920', '1920x1080']);
const SORA2_SIZES = new Set(['720x1280', '1280x720']);
const SORA2_PRO_SIZES = new Set(['720x1280', '1280x720', '1024x1792', '1792x1024']);

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(`HTTP ${status}`);
  }
}

const base32 = (n: number) => {
  const alphabet = '0123456789abcdefghjkmnpqrstvwxyz';
  return Array.from(randomBytes(n), (b) => alphabet[b % 32]).join('');
};

/** The error envelope each family documents: sora-1 bare (SPEC), sora-2 wrapped in `error` (FREF). */
function errorBody(family: Family, code: string, message: string, extra: Record<string, unknown> = {}) {
  const e = { code, message, param: null, type: 'invalid_request_error', ...extra };
  return family === 'sora-1' ? { ...e, inner_error: (extra.inner_error as unknown) ?? null } : { error: e };
}

const bad = (family: Family, message: string, param: string | null = null, code = 'invalid_request_error') =>
  new HttpError(400, errorBody(family, code, message, { param }));
const notFound = (family: Family, what: string) => new HttpError(404, errorBody(family, 'NotFound', `${what} not found`, { type: 'not_found_error' }));

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

interface ParsedBody {
  fields: Record<string, string>;
  files: { field: string; filename: string; type: string; size: number }[];
  multipart: boolean;
}

async function parseBody(family: Family, req: IncomingMessage): Promise<ParsedBody> {
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
  const obj = json as Record<string, unknown>;
  for (const [k, v] of Object.entries(obj)) {
    // sora-2 rejects a numeric `seconds` (invalid_type); remember that it was not a string.
    if (family === 'sora-2' && k === 'seconds' && typeof v !== 'string') throw bad(family, "Invalid type for 'seconds': expected a string", 'seconds', 'invalid_type');
    fields[k] = typeof v === 'string' ? v : JSON.stringify(v);
  }
  return { fields, files: [], multipart: false };
}

/** Whole numbers, also when sent as strings (real clients do). */
function intField(family: Family, fields: Record<string, string>, name: string, fallback?: number): number {
  const v = fields[name];
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback;
    throw bad(family, `'${name}' is required`, name, 'missing_required_parameter');
  }
  if (!/^\d+$/.test(v.trim())) throw bad(family, `'${name}' must be an integer, got ${v}`, name, 'invalid_type');
  return Number(v);
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const o = options;
  const speed = o.speed && o.speed > 0 ? o.speed : 1;
  const now = o.now ?? Date.now;
  const jobRandom = seededRandom(o.seed ?? 1);
  const requestRandom = seededRandom((o.seed ?? 1) ^ 0x9e3779b9);
  const maxConcurrent = o.maxConcurrent ?? 2;
  const moderate = (o.moderate ?? 'forbidden').toLowerCase();
  const early404Ms = o.early404Ms ?? (o.jobMs !== undefined ? Math.min(1000, o.jobMs / 10) : 1000 / speed);
  const expireAfterMs = o.expireAfterMs ?? 86_400_000;
  const windowMs = o.rateLimitWindowMs ?? 60_000;
  let downloadsToCut = o.cutDownloads ?? 0;

  const jobs = new Map<string, EmJob>();
  const generations = new Map<string, EmJob>();
  const createTimes: Record<Family, number[]> = { 'sora-1': [], 'sora-2': [] };
  const freshStats = (): EmulatorStats => ({
    total: 0,
    requests: {},
    responses: {},
    creates: { 'sora-1': 0, 'sora-2': 0 },
    remixes: 0,
    maxRunningSora1: 0,
  });
  let stats = freshStats();
  let clock = 0;

  // ---- the simulation -------------------------------------------------------------------------

  function newJob(family: Family, f: { prompt: string; model: string; width: number; height: number; seconds: number; variants: number }): EmJob {
    const durationMs = o.jobMs ?? (20_000 + jobRandom() * 40_000) / speed;
    const moderated = moderate !== '' && f.prompt.toLowerCase().includes(moderate);
    const failed = !moderated && o.failRate !== undefined && jobRandom() < o.failRate;
    const id = family === 'sora-1' ? `task_${base32(26)}` : `video_${randomBytes(16).toString('hex')}`;
    const job: EmJob = {
      family,
      id,
      createdAt: now(),
      ...f,
      durationMs,
      queueMs: durationMs * 0.1,
      startedAt: null,
      finishedAt: null,
      runMs: moderated ? durationMs * 0.15 : failed ? durationMs * 0.6 : durationMs * 0.9,
      outcome: moderated || failed ? 'failed' : 'succeeded',
      failureCode: moderated ? 'input_moderation' : failed ? 'internal_error' : null,
      failureMessage: moderated
        ? 'The prompt was flagged by the content moderation system.'
        : failed
          ? 'The video generation failed due to an internal error.'
          : null,
      generations: [],
      remixedFrom: null,
      inpaintItems: null,
      hasInputReference: false,
    };
    if (family === 'sora-2') job.startedAt = job.createdAt + job.queueMs;
    jobs.set(id, job);
    stats.creates[family]++;
    o.onCreate?.({ id, family, prompt: f.prompt });
    return job;
  }

  function finish(job: EmJob, at: number) {
    job.finishedAt = at;
    if (job.outcome === 'succeeded' && job.family === 'sora-1') {
      for (let i = 0; i < job.variants; i++) {
        const gid = `gen_${base32(26)}`;
        job.generations.push(gid);
        generations.set(gid, job);
      }
    }
  }

  /** Moves every job forward to `t`, in event order, honouring the sora-1 concurrency limit. */
  function advance(t: number) {
    for (;;) {
      const all = [...jobs.values()];
      const active = all.filter((j) => j.family === 'sora-1' && j.startedAt !== null && j.finishedAt === null);
      const queued = all.filter((j) => j.family === 'sora-1' && j.startedAt === null).sort((a, b) => a.createdAt - b.createdAt);
      let nextEnd = Infinity;
      let ending: EmJob | undefined;
      for (const j of active) {
        if (j.startedAt! + j.runMs < nextEnd) {
          nextEnd = j.startedAt! + j.runMs;
          ending = j;
        }
      }
      const head = queued[0];
      const nextStart = head && active.length < maxConcurrent ? Math.max(head.createdAt + head.queueMs, clock) : Infinity;
      if (Math.min(nextEnd, nextStart) > t) break;
      if (nextEnd <= nextStart) {
        finish(ending!, nextEnd);
        clock = nextEnd;
      } else {
        head!.startedAt = nextStart;
        clock = nextStart;
        stats.maxRunningSora1 = Math.max(stats.maxRunningSora1, active.length + 1);
      }
    }
    for (const j of jobs.values()) {
      if (j.family === 'sora-2' && j.finishedAt === null && j.startedAt! + j.runMs <= t) finish(j, j.startedAt! + j.runMs);
    }
    for (const j of [...jobs.values()]) {
      if (t - j.createdAt >= expireAfterMs) {
        jobs.delete(j.id);
        for (const g of j.generations) generations.delete(g);
      }
    }
  }

  const secs = (ms: number | null) => (ms === null ? null : Math.floor(ms / 1000));
  const expiresAt = (j: EmJob) => secs(j.createdAt + expireAfterMs);

  function sora1Status(j: EmJob, t: number): string {
    if (j.finishedAt !== null) return j.outcome;
    if (j.startedAt === null) return 'queued';
    const e = t - j.startedAt;
    if (e < j.durationMs * 0.15) return 'preprocessing';
    if (e < j.durationMs * 0.75) return 'running';
    return 'processing';
  }

  function sora1Json(j: EmJob, t: number) {
    const status = sora1Status(j, t);
    const done = j.finishedAt !== null;
    return {
      object: 'video.generation.job',
      id: j.id,
      status,
      created_at: secs(j.createdAt),
      finished_at: done ? secs(j.finishedAt) : null,
      expires_at: done ? expiresAt(j) : null,
      generations: j.generations.map((g) => generationJson(g, j)),
      prompt: j.prompt,
      model: j.model,
      n_variants: j.variants,
      n_seconds: j.seconds,
      height: j.height,
      width: j.width,
      inpaint_items: j.inpaintItems ?? undefined,
      failure_reason: done && j.outcome === 'failed' ? j.failureCode : null,
    };
  }

  function generationJson(gid: string, j: EmJob) {
    return { object: 'video.generation', id: gid, job_id: j.id, created_at: secs(j.finishedAt), width: j.width, height: j.height, n_seconds: j.seconds, prompt: j.prompt };
  }

  function sora2Json(j: EmJob, t: number) {
    const done = j.finishedAt !== null;
    let status: string;
    let progress: number;
    if (done) {
      status = j.outcome === 'succeeded' ? 'completed' : 'failed';
      progress = j.outcome === 'succeeded' ? 100 : Math.min(99, Math.floor((100 * j.runMs) / (j.durationMs * 0.9)));
    } else if (t < j.startedAt!) {
      status = 'queued';
      progress = 0;
    } else {
      status = 'in_progress';
      progress = Math.min(99, Math.floor((100 * (t - j.startedAt!)) / (j.durationMs * 0.9)));
    }
    return {
      id: j.id,
      object: 'video',
      model: j.model,
      status,
      progress,
      created_at: secs(j.createdAt),
      completed_at: done && j.outcome === 'succeeded' ? secs(j.finishedAt) : null,
      expires_at: expiresAt(j),
      prompt: j.prompt,
      seconds: String(j.seconds),
      size: `${j.width}x${j.height}`,
      remixed_from_video_id: j.remixedFrom,
      error: done && j.outcome === 'failed' ? { code: j.failureCode, message: j.failureMessage } : null,
    };
  }

  // ---- request handling -----------------------------------------------------------------------

  function checkModerationAtCreate(family: Family, prompt: string) {
    if (o.moderationMode !== 'create' || !moderate || !prompt.toLowerCase().includes(moderate)) return;
    const message = 'The response was filtered due to the prompt triggering Azure OpenAI\'s content management policy.';
    const inner = { code: 'ResponsibleAIPolicyViolation', revised_prompt: null, error_details: 'prompt' };
    throw new HttpError(
      400,
      family === 'sora-1'
        ? { code: 'content_filter', message, param: 'prompt', type: 'invalid_request_error', inner_error: inner }
        : { error: { code: 'content_filter', message, param: 'prompt', status: 400, innererror: inner } },
    );
  }

  function rateLimit(family: Family, t: number) {
    if (!o.rateLimit) return;
    const times = createTimes[family].filter((x) => t - x < windowMs);
    createTimes[family] = times;
    if (times.length >= o.rateLimit) {
      const waitMs = Math.max(1, Math.ceil(times[0] + windowMs - t));
      const seconds = Math.ceil(waitMs / 1000);
      const message = `Requests to the video generation API have exceeded the call rate limit of your current pricing tier. Please retry after ${seconds} seconds.`;
      throw new HttpError(429, errorBody(family, '429', message, { type: 'rate_limit_exceeded' }), {
        'retry-after': String(seconds),
        'retry-after-ms': String(waitMs),
        'x-ratelimit-remaining-requests': '0',
      });
    }
    times.push(t);
  }

  function injected500(family: Family) {
    if (o.errorRate && requestRandom() < o.errorRate) {
      throw new HttpError(500, errorBody(family, 'internal_error', 'The server had an error while processing your request.', { type: 'server_error' }));
    }
  }

  function lookup(family: Family, id: string, t: number): EmJob {
    const j = jobs.get(id);
    if (!j || j.family !== family) throw notFound(family, family === 'sora-1' ? `job ${id}` : `video ${id}`);
    return j;
  }

  async function createSora1(req: IncomingMessage, t: number) {
    const body = await parseBody('sora-1', req);
    const f = body.fields;
    const prompt = f.prompt;
    if (!prompt) throw bad('sora-1', "'prompt' is required", 'prompt', 'missing_required_parameter');
    if (!f.model) throw bad('sora-1', "'model' is required", 'model', 'missing_required_parameter');
    const width = intField('sora-1', f, 'width');
    const height = intField('sora-1', f, 'height');
    const seconds = intField('sora-1', f, 'n_seconds', 5);
    const variants = intField('sora-1', f, 'n_variants', 1);
    const size = `${width}x${height}`;
    if (!SORA1_SIZES.has(size)) throw bad('sora-1', `The resolution ${size} is not supported. Supported: ${[...SORA1_SIZES].join(', ')}.`, 'width');
    if (seconds < 1 || seconds > 20) throw bad('sora-1', `n_seconds must be between 1 and 20, got ${seconds}.`, 'n_seconds');
    const short = Math.min(width, height);
    if (short >= 1080 && seconds > 10) throw bad('sora-1', `1080p videos are limited to 10 seconds, got ${seconds}.`, 'n_seconds');
    const maxVariants = short >= 1080 ? 1 : short >= 720 ? 2 : 4;
    if (variants < 1 || variants > maxVariants) throw bad('sora-1', `n_variants must be between 1 and ${maxVariants} for ${size}, got ${variants}.`, 'n_variants');
    let inpaint: unknown[] | null = null;
    if (body.multipart && (f.inpaint_items !== undefined || body.files.length > 0)) {
      try {
        inpaint = JSON.parse(f.inpaint_items ?? '[]') as unknown[];
      } catch {
        throw bad('sora-1', 'inpaint_items must be a JSON array', 'inpaint_items');
      }
      if (!Array.isArray(inpaint) || inpaint.length === 0) throw bad('sora-1', 'inpaint_items must be a non-empty JSON array', 'inpaint_items');
      const names = new Set(body.files.filter((x) => x.field === 'files').map((x) => x.filename));
      const images = inpaint.filter((it) => (it as { type?: string }).type !== 'video');
      if (images.length > 2) throw bad('sora-1', 'at most 2 images may be given', 'inpaint_items');
      for (const it of inpaint) {
        const item = it as { file_name?: string; type?: string };
        if (item.type !== 'image' && item.type !== 'video') throw bad('sora-1', `inpaint item type must be image or video, got ${item.type}`, 'inpaint_items');
        if (!item.file_name || !names.has(item.file_name)) throw bad('sora-1', `inpaint item file_name ${item.file_name} matches no uploaded file`, 'inpaint_items');
      }
    }
    checkModerationAtCreate('sora-1', prompt);
    rateLimit('sora-1', t);
    const job = newJob('sora-1', { prompt, model: f.model, width, height, seconds, variants });
    job.inpaintItems = inpaint;
    return { status: 200, body: sora1Json(job, t) };
  }

  async function createSora2(req: IncomingMessage, t: number, remixOf?: EmJob) {
    const body = await parseBody('sora-2', req);
    const f = body.fields;
    const prompt = f.prompt;
    if (!prompt) throw bad('sora-2', "Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
    let width: number;
    let height: number;
    let seconds: number;
    let model: string;
    if (remixOf) {
      ({ width, height, seconds, model } = remixOf);
    } else {
      if (f.n !== undefined) throw bad('sora-2', "Unrecognized request argument supplied: n", 'n', 'unknown_parameter');
      model = f.model ?? 'sora-2';
      const size = f.size ?? '720x1280';
      const sizes = /sora-2-pro/i.test(model) ? SORA2_PRO_SIZES : SORA2_SIZES;
      if (!sizes.has(size)) throw bad('sora-2', `Invalid value: '${size}'. Supported values are: ${[...sizes].map((s) => `'${s}'`).join(', ')}.`, 'size', 'invalid_value');
      const s = f.seconds ?? '4';
      if (!['4', '8', '12'].includes(s)) throw bad('sora-2', `Invalid value: '${s}'. Supported values are: '4', '8', and '12'.`, 'seconds', 'invalid_value');
      [width, height] = size.split('x').map(Number) as [number, number];
      seconds = Number(s);
      const ref = body.files.find((x) => x.field === 'input_reference');
      if (body.files.length > 0 && !ref) throw bad('sora-2', 'unexpected file field; use input_reference', 'input_reference');
      if (ref && !/^image\/(jpeg|png|webp)$/.test(ref.type)) throw bad('sora-2', `input_reference must be image/jpeg, image/png or image/webp, got ${ref.type || 'no type'}`, 'input_reference', 'invalid_value');
      if (ref && ref.size === 0) throw bad('sora-2', 'input_reference is empty', 'input_reference', 'invalid_value');
    }
    checkModerationAtCreate('sora-2', prompt);
    rateLimit('sora-2', t);
    const job = newJob('sora-2', { prompt, model, width, height, seconds, variants: 1 });
    job.hasInputReference = body.files.length > 0;
    if (remixOf) {
      job.remixedFrom = remixOf.id;
      stats.remixes++;
    }
    return { status: 200, body: sora2Json(job, t) };
  }

  function list(family: Family, url: URL, t: number) {
    const limitRaw = url.searchParams.get('limit');
    const limit = limitRaw === null ? (family === 'sora-1' ? 10 : 20) : Number(limitRaw);
    if (!Number.isInteger(limit) || limit < 0 || limit > 100) throw bad(family, `limit must be an integer between 0 and 100, got ${limitRaw}`, 'limit');
    const order = url.searchParams.get('order') ?? 'desc';
    if (order !== 'asc' && order !== 'desc') throw bad(family, `order must be asc or desc, got ${order}`, 'order');
    let items = [...jobs.values()].filter((j) => j.family === family);
    items.sort((a, b) => (order === 'asc' ? a.createdAt - b.createdAt : b.createdAt - a.createdAt));
    if (family === 'sora-1') {
      const statuses = url.searchParams.get('statuses');
      if (statuses) {
        const want = new Set(statuses.split(',').map((s) => s.trim()));
        items = items.filter((j) => want.has(sora1Status(j, t)));
      }
    }
    const after = url.searchParams.get('after');
    if (after) {
      const at = items.findIndex((j) => j.id === after);
      items = at === -1 ? [] : items.slice(at + 1);
    }
    const before = url.searchParams.get('before');
    if (before) {
      const at = items.findIndex((j) => j.id === before);
      items = at === -1 ? [] : items.slice(0, at);
    }
    const page = items.slice(0, limit);
    const data = page.map((j) => (family === 'sora-1' ? sora1Json(j, t) : sora2Json(j, t)));
    return { object: 'list', data, has_more: items.length > page.length, first_id: page[0]?.id ?? null, last_id: page.at(-1)?.id ?? null };
  }

  async function sendContent(res: ServerResponse, method: string, kind: 'mp4' | 'jpg' | 'webp', j: EmJob, t: number) {
    if (o.contentEarly404Ms && j.finishedAt !== null && t - j.finishedAt < o.contentEarly404Ms) {
      throw notFound(j.family, 'content');
    }
    const headers: Record<string, string> = {
      'last-modified': new Date(j.finishedAt ?? t).toUTCString(),
      'accept-ranges': 'bytes',
    };
    if (kind !== 'mp4') {
      const body = kind === 'jpg' ? jpegBody() : webpBody();
      res.writeHead(200, { ...headers, 'content-type': kind === 'jpg' ? 'image/jpg' : 'image/webp', 'content-length': String(body.length) });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const mp4 = mp4Body({ width: j.width, height: j.height, seconds: j.seconds }, o.videoBytes);
    res.writeHead(200, { ...headers, 'content-type': 'video/mp4', 'content-length': String(mp4.size) });
    if (method === 'HEAD') {
      res.end();
      return;
    }
    const cut = downloadsToCut > 0;
    if (cut) downloadsToCut--;
    let sent = 0;
    for (const chunk of mp4.chunks()) {
      if (cut && sent + chunk.length >= mp4.size / 2) {
        res.write(chunk.subarray(0, Math.max(0, Math.floor(mp4.size / 2) - sent)));
        // Let the partial bytes leave, then drop the connection mid-body.
        await new Promise((r) => setImmediate(r));
        res.socket?.destroy();
        return;
      }
      sent += chunk.length;
      if (!res.write(chunk)) {
        await new Promise<void>((resolve) => {
          const done = () => {
            res.off('drain', done);
            res.off('close', done);
            resolve();
          };
          res.on('drain', done);
          res.on('close', done);
        });
        if (res.destroyed) return;
      }
    }
    res.end();
  }

  type Result = { status: number; body?: unknown } | 'sent';

  async function route(req: IncomingMessage, res: ServerResponse, url: URL, method: string, path: string, t: number, key: (k: string) => void): Promise<Result> {
    let m: RegExpExecArray | null;
    // sora-1: the jobs API
    if (path === '/video/generations/jobs') {
      if (method === 'POST') {
        key('POST /video/generations/jobs');
        return createSora1(req, t);
      }
      if (method === 'GET') {
        key('GET /video/generations/jobs');
        injected500('sora-1');
        return { status: 200, body: list('sora-1', url, t) };
      }
    }
    if ((m = /^\/video\/generations\/jobs\/([^/]+)$/.exec(path))) {
      const id = decodeURIComponent(m[1]);
      if (method === 'GET') {
        key('GET /video/generations/jobs/{id}');
        injected500('sora-1');
        const j = lookup('sora-1', id, t);
        if (t - j.createdAt < early404Ms) throw notFound('sora-1', `job ${id}`);
        return { status: 200, body: sora1Json(j, t) };
      }
      if (method === 'DELETE') {
        key('DELETE /video/generations/jobs/{id}');
        const j = lookup('sora-1', id, t);
        jobs.delete(j.id);
        for (const g of j.generations) generations.delete(g);
        return { status: 204 };
      }
    }
    if ((m = /^\/video\/generations\/([^/]+)(\/content\/(video|thumbnail))?$/.exec(path)) && m[1] !== 'jobs') {
      const gid = decodeURIComponent(m[1]);
      const j = generations.get(gid);
      if (!m[2] && method === 'GET') {
        key('GET /video/generations/{id}');
        if (!j) throw notFound('sora-1', `generation ${gid}`);
        return { status: 200, body: generationJson(gid, j) };
      }
      if (m[2] && (method === 'GET' || method === 'HEAD')) {
        key(`${method} /video/generations/{id}/content/${m[3]}`);
        if (!j) throw notFound('sora-1', `generation ${gid}`);
        const quality = url.searchParams.get('quality');
        if (quality && quality !== 'high' && quality !== 'low') throw bad('sora-1', `quality must be high or low, got ${quality}`, 'quality');
        await sendContent(res, method, m[3] === 'video' ? 'mp4' : 'jpg', j, t);
        return 'sent';
      }
    }
    // sora-2: the videos API
    if (path === '/videos') {
      if (method === 'POST') {
        key('POST /videos');
        return createSora2(req, t);
      }
      if (method === 'GET') {
        key('GET /videos');
        injected500('sora-2');
        return { status: 200, body: list('sora-2', url, t) };
      }
    }
    if ((m = /^\/videos\/([^/]+)(\/content|\/remix)?$/.exec(path))) {
      const id = decodeURIComponent(m[1]);
      if (!m[2] && method === 'GET') {
        key('GET /videos/{id}');
        injected500('sora-2');
        const j = lookup('sora-2', id, t);
        if (t - j.createdAt < early404Ms) throw notFound('sora-2', `video ${id}`);
        return { status: 200, body: sora2Json(j, t) };
      }
      if (!m[2] && method === 'DELETE') {
        key('DELETE /videos/{id}');
        const j = lookup('sora-2', id, t);
        if (j.finishedAt === null) throw bad('sora-2', `Video ${id} is still ${sora2Json(j, t).status}; only completed or failed videos can be deleted.`, 'video_id');
        jobs.delete(id);
        return { status: 200, body: { id, deleted: true, object: 'video.deleted' } };
      }
      if (m[2] === '/content' && (method === 'GET' || method === 'HEAD')) {
        key(`${method} /videos/{id}/content`);
        const j = lookup('sora-2', id, t);
        const variant = url.searchParams.get('variant') ?? 'video';
        if (!['video', 'thumbnail', 'spritesheet'].includes(variant)) {
          throw bad('sora-2', `Invalid value: '${variant}'. Supported values are: 'video', 'thumbnail' and 'spritesheet'.`, 'variant', 'invalid_value');
        }
        if (j.finishedAt === null || j.outcome !== 'succeeded') throw notFound('sora-2', `content of video ${id}`);
        await sendContent(res, method, variant === 'video' ? 'mp4' : variant === 'thumbnail' ? 'webp' : 'jpg', j, t);
        return 'sent';
      }
      if (m[2] === '/remix' && method === 'POST') {
        key('POST /videos/{id}/remix');
        const src = lookup('sora-2', id, t);
        if (src.finishedAt === null || src.outcome !== 'succeeded') {
          throw bad('sora-2', `Video ${id} is not completed; only completed videos can be remixed.`, 'video_id');
        }
        return createSora2(req, t, src);
      }
    }
    key(`${method} (unknown)`);
    const family: Family = path.startsWith('/video/generations') ? 'sora-1' : 'sora-2';
    throw new HttpError(404, errorBody(family, 'NotFound', `Resource not found: ${method} ${path}`, { type: 'not_found_error' }));
  }

  function authorized(req: IncomingMessage): boolean {
    if (!o.apiKey) return true;
    const k = req.headers['api-key'];
    if (k === o.apiKey) return true;
    return req.headers.authorization === `Bearer ${o.apiKey}`;
  }

  const server = createServer(async (req, res) => {
    const started = now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    stats.total++;
    const count = (k: string) => {
      stats.requests[k] = (stats.requests[k] ?? 0) + 1;
    };
    res.setHeader('apim-request-id', randomUUID());
    res.on('finish', () => {
      stats.responses[res.statusCode] = (stats.responses[res.statusCode] ?? 0) + 1;
      o.log?.(`${method} ${url.pathname}${url.search} → ${res.statusCode} (${now() - started} ms)`);
    });
    const send = (status: number, body?: unknown, headers: Record<string, string> = {}) => {
      if (body === undefined) {
        res.writeHead(status, headers);
        res.end();
        return;
      }
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)), ...headers });
      res.end(text);
    };
    try {
      if (url.pathname === '/_emulator/stats' && method === 'GET') {
        count('GET /_emulator/stats');
        send(200, snapshot());
        return;
      }
      const prefix = '/openai/v1';
      if (!url.pathname.startsWith(prefix + '/')) {
        count(`${method} (unknown)`);
        send(404, { error: { code: 'NotFound', message: 'Resource not found' } });
        return;
      }
      if (!authorized(req)) {
        count(`${method} (unauthorized)`);
        req.resume();
        send(401, { error: { code: '401', message: AUTH_MESSAGE } });
        return;
      }
      const t = now();
      advance(t);
      const result = await route(req, res, url, method, url.pathname.slice(prefix.length), t, count);
      if (result !== 'sent') send(result.status, result.body);
    } catch (error) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof HttpError) {
        req.resume();
        send(error.status, error.body, error.headers);
        return;
      }
      send(500, { error: { code: 'internal_error', message: `emulator error: ${(error as Error).message}` } });
    }
  });

  function snapshot(): EmulatorStats {
    return structuredClone(stats);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    port,
    get stats() {
      return snapshot();
    },
    resetStats() {
      stats = freshStats();
    },
    close() {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
