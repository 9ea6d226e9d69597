import { GenerationFailedError, InterruptedError, NotFoundError, UsageError } from '../core/errors.js';
import { loadUserProfiles, unfinishedGenerations } from '../db/tables/generations.js';
import { formatUsd } from '../core/money.js';
import { createProgress } from '../output/progress.js';
import { record, rows, type Column, type CommandResult } from '../output/result.js';
import { downloadDir, runnerOptions, type GenerateContext } from '../generate/options.js';
import { ensureWritableDir } from '../generate/out-dir.js';
import { FAILED, runGenerations, type LineResult } from '../generate/runner.js';

export interface WaitFlags {
  all?: boolean;
  timeout?: number;
  concurrency: number;
  createsPerMinute?: number;
  out?: string;
}

/** `jobs wait [ID|--all]`: the generate engine on rows already recorded. */
export async function waitJobs(ctx: GenerateContext, opts: WaitFlags, id: string | undefined): Promise<CommandResult> {
  if (!id && !opts.all) throw new UsageError('name a job (generation id or job id) or pass --all');
  if (id && opts.all) throw new UsageError('give an ID or --all, not both');
  const session = await ctx.session();
  const db = await ctx.db();
  const [profiles, found] = await Promise.all([loadUserProfiles(db, session), unfinishedGenerations(db, session, id ?? null)]);
  if (id && found.length === 0) throw new NotFoundError(`no job ${id}`, { hint: 'see: octo jobs list' });
  if (found.length === 0) return { output: rows([], [], { empty: 'Nothing to wait for: no job is queued or running.' }) };
  const outOverride = opts.out === undefined ? undefined : downloadDir(ctx, opts.out);
  // Every folder a download will go to, checked before a line still to submit is submitted.
  const folders = new Set(
    found
      .filter((r) => (r.request as { download?: boolean } | null)?.download !== false)
      .map((r) => outOverride ?? (r.request as { out?: string } | null)?.out ?? downloadDir(ctx)),
  );
  for (const dir of folders) await ensureWritableDir(dir, 'pass another folder with: octo jobs wait --out DIR');
  const view = await createProgress(ctx.io, ctx.globals, { single: Boolean(id) });
  let results;
  try {
    results = await runGenerations(found, {
      ...runnerOptions(ctx, { ...opts, wait: true, outOverride }, { db, session, profiles, view }),
      concurrency: opts.concurrency,
      label: (r) => (r.batch_line !== null ? `line ${r.batch_line}` : r.id.slice(0, 8)),
    });
  } finally {
    view.stop();
  }
  if (ctx.signal.aborted) {
    throw new InterruptedError('stopped waiting; the jobs keep running remotely', { hint: `continue with: octo jobs wait ${id ?? '--all'}` });
  }
  const failed = results.filter((r) => FAILED.has(r.status));
  const unfinished = results.filter((r) => r.status === 'queued' || r.status === 'running');
  const columns: Column<LineResult>[] = [
    { key: 'id', header: 'id', id: true },
    { key: 'job_id', header: 'job', optional: true },
    { key: 'status', header: 'status' },
    { key: 'prompt', header: 'prompt', flex: true },
    { key: 'estimated_cost', header: 'estimate', format: (v) => formatUsd(v), align: 'right' },
    { key: 'files', header: 'files', format: (v) => v.join(', ') },
    { key: 'failure_reason', header: 'reason', optional: true },
  ];
  const [r] = results;
  if (id && r) {
    if (failed.length) {
      const error = (r as { error?: unknown }).error;
      if (r.status === 'error' && error instanceof Error) throw error;
      throw new GenerationFailedError(`job ${r.job_id ?? r.id} ${r.status}: ${r.failure_reason ?? 'no reason given'}`);
    }
    return { output: record(r, columns), exit: unfinished.length ? 'still_running' : undefined };
  }
  const output = rows(results, columns, { json: results });
  if (failed.length) return { output, exit: 'batch_failed' };
  return { output, exit: unfinished.length ? 'still_running' : undefined };
}
