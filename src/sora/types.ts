/** Shapes shared by both Sora API families. */

/** The two API families: sora-1 (`/video/generations/jobs`) and sora-2 (`/videos`). */
export const SORA_VERSIONS = ['sora-1', 'sora-2'] as const;
export type SoraVersion = (typeof SORA_VERSIONS)[number];

/** The family a deployment name suggests (`sora-2`, `my-sora2-pro`: sora-2; `sora`: sora-1): only ever a default to confirm. */
export const soraVersionSuggested = (deployment: string): SoraVersion => (/sora-?2/i.test(deployment) ? 'sora-2' : 'sora-1');

/** The models a profile's deployment may run: sora-1 (every sora-1 profile), sora-2 or sora-2-pro (the larger sizes). */
export const SORA_MODELS = ['sora-1', 'sora-2', 'sora-2-pro'] as const;
export type SoraModel = (typeof SORA_MODELS)[number];
/** What `--model` takes: the sora-2 models (a sora-1 profile's model is sora-1). */
export const SORA2_MODELS = ['sora-2', 'sora-2-pro'] as const;

/** Normalised job status: sora-1 and sora-2 vocabularies mapped onto one. */
export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobAsset {
  /** What `download()` takes: the generation id (sora-1) or the video id (sora-2). */
  id: string;
  kind: 'video';
  /** 0-based variant index (sora-1 `generations[i]`; always 0 on sora-2). */
  variant: number;
}

export interface Job {
  id: string;
  soraVersion: SoraVersion;
  status: JobStatus;
  /** The service's own word: `preprocessing`, `in_progress`, `completed`, … */
  rawStatus: string;
  /** 0–100 when the service reports it (sora-2), else null. */
  progress: number | null;
  /** ISO 8601 (UTC). */
  createdAt: string | null;
  finishedAt: string | null;
  /** When the service deletes the job and its assets (about 24 h after creation). */
  expiresAt: string | null;
  /** Human-readable reason when failed: the service's message, else its code. */
  failureReason: string | null;
  /** Machine code when failed: `input_moderation`, `output_moderation`, `internal_error`, … */
  failureCode: string | null;
  /** Filled once the job succeeded. */
  assets: JobAsset[];
  prompt: string | null;
  model: string | null;
  width: number | null;
  height: number | null;
  seconds: number | null;
  variants: number;
  /** sora-2 remix source, if any. */
  remixedFrom: string | null;
  /** The response body as received. */
  raw: Record<string, unknown>;
}

export interface ImageInput {
  /** File bytes. */
  data: Uint8Array;
  /** Name sent with the part (sora-1 matches it against `inpaint_items[].file_name`). */
  filename: string;
  /** `image/jpeg`, `image/png`, `image/webp`. */
  contentType: string;
}

export interface CreateRequest {
  prompt: string;
  /** `WxH`; alternatively width + height. */
  size?: string;
  width?: number;
  height?: number;
  seconds?: number;
  /** sora-1 only (1–4 by size); sora-2 accepts only 1. */
  variants?: number;
  /** Overrides the client's deployment (the `model` field is the deployment name on Azure). */
  model?: string;
  /** Image-to-video. */
  image?: ImageInput;
  /** sora-1 only: which frame the image pins (default 0). */
  imageFrameIndex?: number;
}

export interface ListOptions {
  limit?: number;
  after?: string;
  before?: string;
  order?: 'asc' | 'desc';
  /** sora-1 only: filter by raw statuses (`succeeded`, `failed`, …). */
  statuses?: string[];
}

export interface JobList {
  jobs: Job[];
  hasMore: boolean;
  firstId: string | null;
  lastId: string | null;
}

export type ContentVariant = 'video' | 'thumbnail';

export interface RequestInfo {
  method: string;
  /** Full URL; never carries a secret (the key travels in a header). */
  url: string;
  /** HTTP status, or 0 when no answer came. */
  status: number;
  ms: number;
}
