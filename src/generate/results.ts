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

/**
 * One line of a run, as the runner hands it back: what the line reports (the `--json` row) and,
 * when it stopped on an error before finishing, that error, so a front end can end with its exit
 * code and hint (a single generate rethrows it; a batch counts it as failed).
 */
export type LineOutcome =
  /** Finished (completed, failed, canceled), or queued/running when the run stopped waiting (--no-wait, --timeout), or a dry run's plan. */
  | { kind: 'reported'; result: LineResult }
  /** Stopped on an error before finishing: `result.status` is `error`, `result.failure_reason` the message. */
  | { kind: 'error'; result: LineResult; error: Error };

export const reported = (result: LineResult): LineOutcome => ({ kind: 'reported', result });

export function errored(row: GenerationRow, error: unknown): LineOutcome {
  const cause = error instanceof Error ? error : new Error(String(error));
  return { kind: 'error', result: resultOf(row, { status: 'error', failure_reason: cause.message }), error: cause };
}

/** How the lines of a run ended, counted. */
export interface RunSummary {
  lines: number;
  completed: number;
  /** Failed or canceled at the service, or stopped on an error (`errors` of them). */
  failed: number;
  /** Stopped on an error before finishing (a rerun or `jobs wait` continues them). */
  errors: number;
  /** Still queued or running when the run stopped waiting. */
  unfinished: number;
}

export function summarize(outcomes: readonly LineOutcome[]): RunSummary {
  const statuses = outcomes.map((o) => o.result.status);
  return {
    lines: outcomes.length,
    completed: statuses.filter((s) => s === 'completed').length,
    failed: statuses.filter((s) => FAILED.has(s)).length,
    errors: outcomes.filter((o) => o.kind === 'error').length,
    unfinished: statuses.filter((s) => s === 'queued' || s === 'running').length,
  };
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
