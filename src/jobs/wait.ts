import { noneWithId } from '../db/tables/ids.js';
import { InterruptedError, UsageError } from '../core/errors.js';
import { loadUserProfiles, unfinishedGenerations } from '../db/tables/generations.js';
import { downloadDir, ensureWritableDir } from '../generate/out-dir.js';
import { summarize, type LineOutcome, type RunSummary } from '../generate/results.js';
import { runGenerations } from '../generate/run.js';
import type { RunnerContext } from '../generate/runner.js';

/** Which jobs to follow, and how: the flags of `octo jobs wait`. */
export interface WaitRequest {
  /** Generation ids (or unique prefixes) or service job ids (`jobs wait ID`: one; an MCP client: several); else `all`. */
  ids?: readonly string[];
  all?: boolean;
  timeout?: number;
  concurrency: number;
  createsPerMinute?: number;
  /** Download folder; wins over the one stored when the job was started. */
  out?: string;
}

/** One outcome per job followed (none: nothing was queued or running), and how they ended. */
export interface Waited {
  results: LineOutcome[];
  summary: RunSummary;
}

/** `jobs wait [ID|--all]`: the generate engine on rows already recorded. */
export async function waitJobs(ctx: RunnerContext, request: WaitRequest): Promise<Waited> {
  const ids = request.ids ?? [];
  if (ids.length === 0 && !request.all) throw new UsageError('name a job (generation id or job id) or pass --all');
  if (ids.length > 0 && request.all) throw new UsageError('give an ID or --all, not both');
  const session = await ctx.session();
  const db = await ctx.db();
  const named = (id: string) =>
    unfinishedGenerations(db, session, id).then((rows) => {
      if (rows.length === 0) throw noneWithId('job', id);
      return rows;
    });
  const [profiles, lists] = await Promise.all([
    loadUserProfiles(db, session),
    ids.length > 0 ? Promise.all(ids.map(named)) : unfinishedGenerations(db, session, null).then((rows) => [rows]),
  ]);
  // One line once, however many of the ids name it (an id and its job id).
  const found = [...new Map(lists.flat().map((r) => [r.id, r])).values()];
  if (found.length === 0) return { results: [], summary: summarize([]) };
  const outOverride = request.out === undefined ? undefined : downloadDir(ctx, request.out);
  // Every folder a download will go to, checked before a line still to submit is submitted.
  const folders = new Set(
    found
      .filter((r) => (r.request as { download?: boolean } | null)?.download !== false)
      .map((r) => outOverride ?? (r.request as { out?: string } | null)?.out ?? downloadDir(ctx)),
  );
  for (const dir of folders) await ensureWritableDir(dir, 'pass another folder with: octo jobs wait --out DIR');
  const results = await runGenerations(ctx, found, profiles, {
    wait: true,
    timeoutMs: request.timeout,
    concurrency: request.concurrency,
    createsPerMinute: request.createsPerMinute,
    label: (r) => (r.batch_line !== null ? `line ${r.batch_line}` : r.id.slice(0, 8)),
    single: found.length === 1 && ids.length > 0,
    outOverride: request.out,
  });
  if (ctx.signal.aborted) {
    throw new InterruptedError('stopped waiting; the jobs keep running remotely', {
      hint: `continue with: octo jobs wait ${ids.length === 1 ? ids[0] : '--all'}`,
    });
  }
  return { results, summary: summarize(results) };
}
