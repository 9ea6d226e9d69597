import { FormData, type Dispatcher } from 'undici';
import { SoraNetworkError, SoraRateLimitError, SoraServerError, SoraValidationError } from './errors.js';
import { downloadToFile, openContent, type DownloadOptions, type DownloadResult, type OpenedContent } from './download.js';
import { normalizeEndpoint } from './endpoint.js';
import { Transport } from './http.js';
import type { HttpLimits } from './limits.js';
import { normalizeSora1Job, normalizeSora2Video } from './normalize.js';
import { sleep as defaultSleep, type Sleep } from './sleep.js';
import type { ContentVariant, CreateRequest, Job, JobList, ListOptions, RequestInfo, SoraModel, SoraVersion } from './types.js';
import { checkPrompt, validateRequest } from './validate.js';

export interface SoraClientOptions {
  /** Resource URL or a full request URL (see normalizeEndpoint). */
  endpoint: string;
  /** The `api-key` header; or `bearerToken` (src/sora/auth.ts: soraAuth gives one of the two). */
  apiKey?: string;
  bearerToken?: () => Promise<string>;
  /** Azure deployment name, sent as `model`. */
  deployment: string;
  soraVersion: SoraVersion;
  /** The model the deployment runs (which sizes it takes); unset: guessed from the deployment's name. */
  model?: SoraModel;
  /** undici dispatcher; defaults to one shared keep-alive Agent. */
  dispatcher?: Dispatcher;
  headersTimeoutMs?: number;
  bodyTimeoutMs?: number;
  /** Called after every HTTP exchange (for --debug timings). The URL carries no secret. */
  onRequest?: (info: RequestInfo) => void;
  /** How many times a create may be resent when provably not processed (default 3). */
  createRetries?: number;
  /** Longest Retry-After a create will wait out before giving up with SoraRateLimitError (default 60 s). */
  maxRetryAfterMs?: number;
  /** Deadlines and caps for a server that misbehaves (httpLimitsFrom(env); defaults: DEFAULT_HTTP_LIMITS). */
  limits?: Partial<HttpLimits>;
  sleep?: Sleep;
}

export interface CallOptions {
  signal?: AbortSignal;
}

export interface ClientDownloadOptions extends DownloadOptions {
  /** `video` (default) or `thumbnail` (sora-1 JPEG, sora-2 WEBP). */
  variant?: ContentVariant;
}

export interface SoraClient {
  readonly soraVersion: SoraVersion;
  /** `{origin}/openai/v1`. */
  readonly baseUrl: string;
  readonly deployment: string;
  /** The deadlines and caps in force (polling reads unknownStatusMs). */
  readonly limits: HttpLimits;
  /** Validates (no request when invalid), then creates the job. */
  create(req: CreateRequest, opts?: CallOptions): Promise<Job>;
  get(id: string, opts?: CallOptions): Promise<Job>;
  list(opts?: ListOptions & CallOptions): Promise<JobList>;
  delete(id: string, opts?: CallOptions): Promise<void>;
  /** sora-1: deletes the job (the API has no separate cancel). sora-2: delete, which the service refuses while running. */
  cancel(id: string, opts?: CallOptions): Promise<void>;
  /** `assetId` is `job.assets[i].id`: a generation id (sora-1) or the video id (sora-2). */
  download(assetId: string, opts: ClientDownloadOptions): Promise<DownloadResult>;
  /** The URL of an asset's video (recorded when nothing is downloaded); the id encoded. */
  contentUrl(assetId: string): string;
  /** The content as a stream (nothing on disk): for copying straight to storage. */
  open(assetId: string, opts?: { variant?: ContentVariant; signal?: AbortSignal }): Promise<OpenedContent>;
  /** sora-2 only. */
  remix(id: string, prompt: string, opts?: CallOptions): Promise<Job>;
}

/** Adapter: the family-specific half of the client. */
interface Family {
  /** `sizesOf`: the model whose sizes the request is checked against (the profile's, else the deployment's name). */
  createBody(req: CreateRequest, deployment: string, sizesOf: string): { json?: unknown; form?: FormData };
  createPath: string;
  jobPath(id: string): string;
  listPath: string;
  listQuery(o: ListOptions): Record<string, string | number | undefined>;
  contentPath(assetId: string, variant: ContentVariant): { path: string; query?: Record<string, string> };
  normalize(raw: Record<string, unknown>): Job;
}

/**
 * An id from the service as one URL path segment. encodeURIComponent leaves `.` alone, and the
 * URL parser resolves a `.`/`..` segment (even as `%2e%2e`) against the path, so those are refused.
 */
export function pathSegment(id: string): string {
  if (!id || /^(\.|%2e){1,2}$/i.test(id)) {
    throw new SoraServerError(`the service gave an id that cannot be used in a URL: ${JSON.stringify(id)}`, { status: 502 });
  }
  return encodeURIComponent(id);
}

const sora1: Family = {
  createPath: '/video/generations/jobs',
  jobPath: (id) => `/video/generations/jobs/${pathSegment(id)}`,
  listPath: '/video/generations/jobs',
  listQuery: (o) => ({ limit: o.limit ?? 10, after: o.after, before: o.before, statuses: o.statuses?.join(',') }),
  contentPath: (id, variant) => ({ path: `/video/generations/${pathSegment(id)}/content/${variant}` }),
  normalize: normalizeSora1Job,
  createBody(req, deployment) {
    const v = validateRequest('sora-1', { ...req, model: req.model ?? deployment });
    const fields = {
      model: req.model ?? deployment,
      prompt: req.prompt,
      width: v.width,
      height: v.height,
      n_seconds: v.seconds,
      n_variants: v.variants,
    };
    if (!req.image) return { json: fields };
    const form = new FormData();
    for (const [k, val] of Object.entries(fields)) form.append(k, String(val));
    const inpaint = [
      {
        frame_index: req.imageFrameIndex ?? 0,
        type: 'image',
        file_name: req.image.filename,
        crop_bounds: { left_fraction: 0, top_fraction: 0, right_fraction: 1, bottom_fraction: 1 },
      },
    ];
    form.append('inpaint_items', JSON.stringify(inpaint));
    form.append('files', new Blob([req.image.data as unknown as BlobPart], { type: req.image.contentType }), req.image.filename);
    return { form };
  },
};

const sora2: Family = {
  createPath: '/videos',
  jobPath: (id) => `/videos/${pathSegment(id)}`,
  listPath: '/videos',
  listQuery: (o) => ({ limit: o.limit ?? 20, after: o.after, order: o.order ?? 'desc' }),
  contentPath: (id, variant) => ({ path: `/videos/${pathSegment(id)}/content`, query: { variant } }),
  normalize: normalizeSora2Video,
  createBody(req, deployment, sizesOf) {
    const model = req.model ?? deployment;
    const v = validateRequest('sora-2', { ...req, model: sizesOf });
    // seconds must be a string: a number is rejected with invalid_type.
    const fields = { model, prompt: req.prompt, size: v.size, seconds: String(v.seconds) };
    if (!req.image) return { json: fields };
    const form = new FormData();
    for (const [k, val] of Object.entries(fields)) form.append(k, val);
    form.append('input_reference', new Blob([req.image.data as unknown as BlobPart], { type: req.image.contentType }), req.image.filename);
    return { form };
  },
};

export function createSoraClient(o: SoraClientOptions): SoraClient {
  const baseUrl = normalizeEndpoint(o.endpoint);
  const family = o.soraVersion === 'sora-1' ? sora1 : sora2;
  const sleep = o.sleep ?? defaultSleep;
  const transport = new Transport({
    base: baseUrl,
    apiKey: o.apiKey,
    bearerToken: o.bearerToken,
    dispatcher: o.dispatcher,
    headersTimeoutMs: o.headersTimeoutMs,
    bodyTimeoutMs: o.bodyTimeoutMs,
    onRequest: o.onRequest,
    limits: o.limits,
    // The jobs API is documented only with api-version=preview; the videos API needs none.
    query: o.soraVersion === 'sora-1' ? { 'api-version': 'preview' } : undefined,
  });
  const createRetries = o.createRetries ?? 3;
  const maxRetryAfterMs = o.maxRetryAfterMs ?? 60_000;

  /**
   * POSTs that create a job are billed, and the Sora APIs take no idempotency key, so a create is
   * resent only when the service provably did not process it: the connection was never made
   * (ECONNREFUSED, DNS, connect timeout), or the service answered 429 (a rejection, nothing
   * created). A reset or timeout after the bytes left, or a 5xx, is NOT retried: the job may exist;
   * the caller must look for it (list) before resubmitting.
   */
  async function postCreating(path: string, body: { json?: unknown; form?: FormData }, signal?: AbortSignal, jobId?: string) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await transport.json('POST', path, { ...body, signal, jobId });
      } catch (error) {
        if (attempt >= createRetries || signal?.aborted) throw error;
        if (error instanceof SoraNetworkError && !error.sent) {
          await sleep(500 * 2 ** attempt, signal);
          continue;
        }
        if (error instanceof SoraRateLimitError) {
          const wait = error.retryAfterMs ?? 2000 * 2 ** attempt;
          if (wait > maxRetryAfterMs) throw error;
          await sleep(wait, signal);
          continue;
        }
        throw error;
      }
    }
  }

  return {
    soraVersion: o.soraVersion,
    baseUrl,
    deployment: o.deployment,
    limits: transport.limits,

    async create(req, opts = {}) {
      checkPrompt(req.prompt);
      const body = family.createBody(req, o.deployment, o.model ?? req.model ?? o.deployment);
      return family.normalize(await postCreating(family.createPath, body, opts.signal));
    },

    async get(id, opts = {}) {
      return family.normalize(await transport.json('GET', family.jobPath(id), { signal: opts.signal, jobId: id }));
    },

    async list(opts = {}) {
      const raw = await transport.json<Record<string, unknown>>('GET', family.listPath, {
        query: family.listQuery(opts),
        signal: opts.signal,
      });
      const data = Array.isArray(raw?.data) ? (raw.data as Record<string, unknown>[]) : [];
      const jobs = data.map(family.normalize);
      return {
        jobs,
        hasMore: raw?.has_more === true,
        firstId: typeof raw?.first_id === 'string' ? raw.first_id : (jobs[0]?.id ?? null),
        lastId: typeof raw?.last_id === 'string' ? raw.last_id : (jobs.at(-1)?.id ?? null),
      };
    },

    async delete(id, opts = {}) {
      await transport.json('DELETE', family.jobPath(id), { signal: opts.signal, jobId: id });
    },

    async cancel(id, opts = {}) {
      await transport.json('DELETE', family.jobPath(id), { signal: opts.signal, jobId: id });
    },

    async download(assetId, opts) {
      const { path, query } = family.contentPath(assetId, opts.variant ?? 'video');
      return downloadToFile(
        (signal) => transport.raw('GET', path, { query, signal, jobId: assetId, headers: { accept: 'application/binary' } }),
        `download ${assetId}`,
        // A video must be an MP4; thumbnails (JPEG, WEBP) are not checked.
        { sleep, mp4: (opts.variant ?? 'video') === 'video', limits: transport.limits, ...opts },
      );
    },

    contentUrl(assetId) {
      // The stored URL carries no api-version: it names the asset, it is not a request.
      return `${baseUrl}${family.contentPath(assetId, 'video').path}`;
    },

    async open(assetId, opts = {}) {
      const { path, query } = family.contentPath(assetId, opts.variant ?? 'video');
      return openContent(
        (signal) => transport.raw('GET', path, { query, signal, jobId: assetId, headers: { accept: 'application/binary' } }),
        `download ${assetId}`,
        { sleep, signal: opts.signal, mp4: (opts.variant ?? 'video') === 'video', limits: transport.limits },
      );
    },

    async remix(id, prompt, opts = {}) {
      if (o.soraVersion !== 'sora-2') {
        throw new SoraValidationError('remix needs a sora-2 profile; sora-1 has no remix', { param: 'remix' });
      }
      checkPrompt(prompt);
      return normalizeSora2Video(await postCreating(`/videos/${pathSegment(id)}/remix`, { json: { prompt } }, opts.signal, id));
    },
  };
}
