import type { GenerationRow } from '../db/tables/generations.js';

/** What the runner reports for each line (the `--json` contract of generate and jobs wait). */
export interface LineResult {
  /** The video_generations row; null for a --dry-run. */
  id: string | null;
  job_id: string | null;
  status: string;
  prompt: string;
  model: string;
  seconds: number;
  size: string;
  variants: number;
  generation_mode: string;
  estimated_cost: number;
  files: string[];
  profile: string | null;
  failure_reason: string | null;
  line?: number;
}

/** A recorded row in one of these states is finished: nothing more is sent for it. */
export const TERMINAL = new Set(['completed', 'failed', 'canceled']);
/** A line result that counts as failed (`error`: stopped on an error before finishing). */
export const FAILED = new Set(['failed', 'canceled', 'error']);

export function resultOf(row: GenerationRow, over: Partial<LineResult> = {}): LineResult {
  return {
    id: row.id,
    job_id: row.job_id,
    status: row.status,
    prompt: row.prompt,
    model: row.sora_model,
    seconds: Number(row.duration),
    size: row.resolution,
    variants: Number(row.variants ?? 1),
    generation_mode: row.generation_mode,
    estimated_cost: Number(row.estimated_cost),
    files: row.files ?? [],
    profile: row.profile_name,
    failure_reason: row.failure_reason,
    ...(row.batch_line !== null && row.batch_line !== undefined ? { line: row.batch_line } : {}),
    ...over,
  };
}

/** `12s`, `3m05s` since `since` (ms), on the runner's clock. */
export function elapsed(since: number, now: number): string {
  const s = Math.max(0, Math.floor((now - since) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
