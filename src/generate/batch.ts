import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { BudgetError, InterruptedError, NotFoundError, UsageError } from '../core/errors.js';
import { shellArg } from '../core/text.js';
import { checkSoraAuth } from '../sora/index.js';
import { budgetsForRows, generationsByKeys, latestBatchRun } from '../db/tables/generations.js';
import { loadPricing } from '../costs/pricing.js';
import { formatUsd, roundUsd } from '../core/money.js';
import { systemTimeZone } from '../costs/period.js';
import { selectProfile } from '../profiles/select.js';
import { batchIdFor, decodeBatchFile, lineError, parseBatchFile } from './batch-file.js';
import { downloadDir, ensureWritableDir } from './out-dir.js';
import { newGeneration, planGeneration, runPrefix, type GenerationInput } from './plan.js';
import { reserveGenerations } from './reserve.js';
import { generateSummary, planResult, userProfiles, type GenerateRequest, type Generated } from './request.js';
import { TERMINAL, reported, resultOf } from './results.js';
import { runGenerations } from './run.js';
import type { RunnerContext } from './runner.js';

/** The batch file's text, the path it was read from, and its real path (what the batch id is made of). */
export async function readBatch(ctx: Pick<RunnerContext, 'io' | 'cwd'>, file: string): Promise<{ text: string; path: string; real: string }> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const chunk of ctx.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    return { text: decodeBatchFile(Buffer.concat(chunks), 'stdin'), path: '-', real: '-' };
  }
  const path = isAbsolute(file) ? file : resolve(ctx.cwd, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  // The batch is the file, whatever name it is reached by (a symlink): its real path (a pipe,
  // `--file <(cmd)`, has none: its name).
  let real = path;
  try {
    real = realpathSync(path);
  } catch {
    // keep the name
  }
  return { text: decodeBatchFile(bytes, file), path, real };
}

/** A batch's text and where it came from: `path` (`-`: none) holds its images, `real` names it, `name` is shown. */
export interface BatchSource {
  text: string;
  path: string;
  real: string;
  name: string;
  /** A file: `generate --file NAME --resume` continues it (lines given as data are followed with jobs wait). */
  resumable: boolean;
}

/**
 * `octo generate --file FILE`: every line checked and estimated first, then recorded (and
 * budget-checked) at once, then run. While the file's run is unfinished, a second `generate --file`
 * (or `--resume`) joins it: the lines already recorded are continued, never recorded or submitted
 * twice. Once it has finished, only `--again` runs the file again: a new run of every line.
 */
export async function generateBatch(ctx: RunnerContext, request: GenerateRequest, source: BatchSource): Promise<Generated> {
  if (request.remix) throw new UsageError('--remix takes one PROMPT; it cannot be used with --file');
  if (request.again && request.resume) throw new UsageError('--again starts a new run of the file; --resume continues the last one: pass one of them');
  const { text, path, real, name: file } = source;
  const lines = parseBatchFile(text, file);
  if (lines.length === 0) throw new UsageError(`${file}: no prompts (blank lines and # comments are skipped)`);
  const { session, db, profiles } = await userProfiles(ctx);
  const defaults = { size: ctx.setting('default-size'), seconds: ctx.setting('default-seconds') };
  const prices = loadPricing({ pricingFile: ctx.setting('pricing-file'), cwd: ctx.cwd });
  const plans = lines.map(({ line, input, key }) => {
    try {
      const merged: GenerationInput = {
        ...input,
        seconds: input.seconds ?? request.seconds,
        size: input.size ?? request.size,
        variants: input.variants ?? request.variants,
        image: input.image ?? request.image,
        tags: { ...request.tag, ...input.tags },
      };
      const profile = selectProfile(profiles, input.profile ?? ctx.globals.profile, ctx.setting('default-profile'));
      return { line, key, plan: planGeneration(merged, profile, { cwd: path === '-' ? ctx.cwd : resolve(path, '..'), defaults, prices }) };
    } catch (error) {
      if (error instanceof UsageError || error instanceof NotFoundError) throw lineError(file, line, error.message);
      throw error;
    }
  });
  const total = roundUsd(plans.reduce((sum, p) => sum + p.plan.estimatedCost, 0));
  const batchId = batchIdFor(real, text);
  // The file's newest run (--again: a new one after it).
  const latest = await latestBatchRun(db, session, batchId);
  const run = request.again ? latest + 1 : Math.max(1, latest);
  const keys = plans.map((p) => `${runPrefix(batchId, run)}:${p.key}`);
  const known = await generationsByKeys(db, session, keys);
  const knownByKey = new Map(known.map((r) => [r.idempotency_key, r]));
  const unfinished = known.some((r) => !TERMINAL.has(r.status));
  if (!request.resume && !request.dryRun && known.length > 0 && !unfinished) {
    // Every recorded line of this run has finished: running it again is a new run, on purpose.
    const fresh = keys.filter((k) => !knownByKey.has(k)).length;
    throw new UsageError(
      `${known.length} of the ${plans.length} lines of this file were already run to the end (batch ${batchId}); nothing was recorded or submitted`,
      {
        hint:
          `run every line again (a new run, estimated and budget-checked): octo generate --file ${shellArg(file)} --again` +
          (fresh > 0 ? `; only its ${fresh} new line${fresh === 1 ? '' : 's'}: octo generate --file ${shellArg(file)} --resume` : ''),
      },
    );
  }
  // What is left to spend: lines not recorded yet, and recorded ones not finished.
  const left = plans.filter((_, i) => !TERMINAL.has(knownByKey.get(keys[i]!)?.status ?? ''));
  const leftCost = roundUsd(left.reduce((sum, p) => sum + p.plan.estimatedCost, 0));
  const count = (n: number) => `${n} line${n === 1 ? '' : 's'}`;
  ctx.log.info(
    known.length === 0
      ? `Estimated cost: ${formatUsd(total)} for ${count(plans.length)} — an estimate, not a bill`
      : `Estimated cost: ${formatUsd(leftCost)} for the ${count(left.length)} left of ${plans.length} — an estimate, not a bill`,
  );
  if (request.maxCost !== undefined && leftCost > request.maxCost) {
    throw new BudgetError(`the batch estimate ${formatUsd(leftCost)} is above --max-cost ${formatUsd(request.maxCost)}`, {
      hint: 'nothing was recorded or submitted',
    });
  }
  const summaryOf = (results: Generated['results'], dryRun: boolean) =>
    generateSummary(results, { batch: true, dryRun, waited: request.wait, estimatedCost: total, batchId });
  const out = downloadDir(ctx, request.out);
  const recorded = plans.map(({ line, key, plan }) => newGeneration(plan, { out, download: request.download, batchId, run, line, lineKey: key }));
  if (request.dryRun) {
    const results = plans.map(({ line, plan }) => reported(planResult(plan, line)));
    // Lines already recorded (a rerun) are left out of the sums, as a real run's reservation does.
    const budgets = await budgetsForRows(db, session, recorded, systemTimeZone(ctx.processEnv));
    return { results, summary: { ...summaryOf(results, true), budgets } };
  }

  for (const profile of new Set(plans.map(({ plan }) => plan.profile))) await checkSoraAuth(profile, ctx.processEnv);
  if (request.download) await ensureWritableDir(out, 'pass --out DIR (or --no-download)');
  // Lines already recorded (by content: an edited or appended file keeps them) are never recorded
  // again. A run still unfinished is joined, as --resume does: another process (on this machine or
  // another) may be running it now, and the claims share its lines out.
  const fresh = recorded.filter((_, i) => !knownByKey.has(keys[i]!));
  if (fresh.length > 0) await reserveGenerations(db, session, fresh, systemTimeZone(ctx.processEnv));
  // Labelled by where each line is in the file now.
  const lineOf = new Map(keys.map((k, i) => [k, plans[i]!.line]));
  const batchRows = (fresh.length > 0 ? await generationsByKeys(db, session, keys) : known).map((r) => ({
    ...r,
    batch_line: lineOf.get(r.idempotency_key) ?? r.batch_line,
  }));
  if (known.length > 0) {
    const done = known.filter((r) => TERMINAL.has(r.status)).length;
    const running = known.length - done;
    ctx.log.info(
      `${request.resume ? 'Resuming' : 'Joining the unfinished run of'} batch ${batchId}: ${done} of ${plans.length} lines already finished` +
        `${running ? `, ${running} to continue` : ''}${fresh.length ? `, ${fresh.length} new line${fresh.length === 1 ? '' : 's'} to run` : ''}`,
    );
  }
  request.onRecorded?.(batchRows.map((r) => resultOf(r)));
  const results = await runGenerations(ctx, batchRows, profiles, {
    wait: request.wait,
    timeoutMs: request.timeout,
    concurrency: request.concurrency,
    createsPerMinute: request.createsPerMinute,
    label: (r) => `line ${r.batch_line}`,
    single: false,
    out: request.out,
  });
  if (ctx.signal.aborted) {
    throw new InterruptedError('batch interrupted; jobs already submitted keep running at the service, and a create in flight may have reached it', {
      hint: source.resumable ? `continue it with: octo generate --file ${shellArg(file)} --resume` : 'continue it with: octo jobs wait --all',
    });
  }
  return { results, summary: summaryOf(results, false) };
}
