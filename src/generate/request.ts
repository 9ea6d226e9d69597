import { loadUserProfiles, type BudgetCheck } from '../db/tables/generations.js';
import type { Plan } from './plan.js';
import { summarize, type LineOutcome, type LineResult, type RunSummary } from './results.js';
import type { RunnerContext } from './runner.js';

/** What to generate: one prompt, or a batch file; the flags of `octo generate`. */
export interface GenerateRequest {
  prompt?: string;
  seconds?: string;
  size?: string;
  variants?: string;
  image?: string;
  remix?: string;
  out?: string;
  download: boolean;
  wait: boolean;
  dryRun?: boolean;
  maxCost?: number;
  tag?: Record<string, string>;
  timeout?: number;
  /** A batch: one prompt per line or JSON Lines; `-` reads stdin. */
  file?: string;
  /**
   * A batch given as data (an MCP client's list of lines): JSON Lines text, checked like a file's,
   * images relative to the cwd. Each one is a batch of its own (a fresh id), so it is never resumed.
   */
  lines?: string;
  /**
   * Called once every line is recorded (its estimate reserved against the budget), before any is
   * submitted: a front end that answers at once (the MCP server) learns the generation ids here.
   */
  onRecorded?: (lines: LineResult[]) => void;
  concurrency: number;
  resume?: boolean;
  /** A batch: a new run of every line of a file whose last run has finished. */
  again?: boolean;
  /** Unset: the profile's pace, else 2. */
  createsPerMinute?: number;
}

export interface GenerateSummary extends RunSummary {
  /** A batch file (false: one prompt). */
  batch: boolean;
  /** Planned and estimated only: nothing recorded or submitted. */
  dryRun: boolean;
  /** false: the run returned once every line was submitted (`--no-wait`). */
  waited: boolean;
  /** The estimate of every line, in USD (what --max-cost is compared with). */
  estimatedCost: number;
  /** The batch's id (the prefix of its lines' keys); null for one prompt. */
  batchId: string | null;
  /**
   * A dry run's budget check: each monthly budget the lines would be reserved against, with what
   * they would add; a real run is refused (exit 5) when one is `over`. Absent for a real run.
   */
  budgets?: BudgetCheck[];
}

/**
 * What `generate` returns: one outcome per line (one for a prompt), in file order, and how they
 * ended. A line that failed, or stopped on an error, is data here; what ends the whole request
 * (bad input, over budget, Ctrl-C) is thrown as a typed error.
 */
export interface Generated {
  results: LineOutcome[];
  summary: GenerateSummary;
}

/** A dry run's line: the plan, nothing recorded. */
export function planResult(plan: Plan, line?: number): LineResult {
  return {
    id: null,
    job_id: null,
    status: 'dry-run',
    prompt: plan.input.prompt,
    model: plan.model,
    seconds: plan.seconds,
    size: plan.size,
    variants: plan.variants,
    generation_mode: plan.mode,
    estimated_cost: plan.estimatedCost,
    files: [],
    profile: plan.profile.name,
    failure_reason: null,
    ...(line !== undefined ? { line } : {}),
  };
}

/** The summary of a run's outcomes. */
export function generateSummary(results: LineOutcome[], o: Omit<GenerateSummary, keyof RunSummary>): GenerateSummary {
  return { ...summarize(results), ...o };
}

/** The user's profiles (one round trip), with the database and session they were read with. */
export async function userProfiles(ctx: Pick<RunnerContext, 'db' | 'session'>) {
  const session = await ctx.session();
  const db = await ctx.db();
  const profiles = await loadUserProfiles(db, session);
  return { session, db, profiles };
}
