import type { SoraVersion } from '../sora/types.js';

/** The emulator's public options and results, and the job record both API families share. */

export interface EmulatorOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  host?: string;
  /**
   * When set, requests need `api-key: KEY` or `Authorization: Bearer KEY` (as the OpenAI SDK sends
   * a key). With neither this nor `bearerToken` set, any request passes.
   */
  apiKey?: string;
  /**
   * Tokens accepted as `Authorization: Bearer TOKEN` (what an Entra ID / `az` token looks like to
   * the service). With a token but no `apiKey`, `api-key` headers are refused, as on a resource
   * whose key access is disabled.
   */
  bearerToken?: string | readonly string[];
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
  /** Size of each MP4 body (default: the clip's own few KB; more pads mdat). Streamed, never allocated whole. */
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
  onCreate?: (job: { id: string; family: Family; prompt: string }) => void;
  /**
   * The deployments the resource has, as NAME or NAME=MODEL (the model it runs, e.g.
   * video=sora-2-pro; else the name says it): a create naming any other answers 404 as Azure does
   * for a missing deployment. Unset or empty: every name is a deployment.
   */
  deployments?: readonly string[];
  /** Deployments whose model is retired: every create on them is refused (410), nothing created. Read at each create. */
  retired?: readonly string[];
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
  /** Creates refused with 429 by the rate limit. */
  rateLimited: { 'sora-1': number; 'sora-2': number };
  /** Authorized requests below /openai/v1 by how they authenticated (`none`: no credential configured or sent). */
  auth: { 'api-key': number; bearer: number; none: number };
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

/** The API family a request is for: the same two the client speaks. */
export type Family = SoraVersion;

export interface EmJob {
  family: Family;
  id: string;
  /** Creation order (list order and paging cursors). */
  seq: number;
  /** Deleted or expired (still known to paging cursors). */
  gone: boolean;
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

/** What a create validated: the fields a new job starts from. */
export interface JobSpec {
  prompt: string;
  model: string;
  width: number;
  height: number;
  seconds: number;
  variants: number;
}
