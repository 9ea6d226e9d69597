import { readFileSync, realpathSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { BudgetError, GenerationFailedError, InterruptedError, NotFoundError, UsageError } from '../core/errors.js';
import { SoraNotFoundError, checkSoraAuth, soraClientFor, type ProfileWithKey } from '../sora/index.js';
import { onlyRow } from '../db/tables/rows.js';
import { reserveGenerations } from './reserve.js';
import { generationsByKeys, loadUserProfiles, type GenerationRow, type NewGeneration } from '../db/tables/generations.js';
import { loadPricing } from '../costs/pricing.js';
import { formatUsd, roundUsd } from '../core/money.js';
import { createProgress } from '../output/progress.js';
import { record, rows, type CommandResult, type Column } from '../output/result.js';
import { batchIdFor, decodeBatchFile, lineError, parseBatchFile } from './batch-file.js';
import { downloadDir, runnerOptions, type GenerateContext } from './options.js';
import { ensureWritableDir } from './out-dir.js';
import { systemTimeZone } from '../costs/period.js';
import { selectProfile } from '../profiles/select.js';
import { newGeneration, planGeneration, type GenerationInput, type Plan } from './plan.js';
import { FAILED, TERMINAL, runGenerations, type LineResult } from './runner.js';

export interface GenerateFlags {
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
  file?: string;
  concurrency: number;
  resume?: boolean;
  /** Unset: the profile's pace, else 2. */
  createsPerMinute?: number;
}

/** `octo generate`: one prompt, or a batch file. */
export async function generate(ctx: GenerateContext, opts: GenerateFlags, prompt: string | undefined): Promise<CommandResult> {
  if (opts.file !== undefined && prompt !== undefined) throw new UsageError('give a PROMPT or --file, not both');
  if (opts.resume && opts.file === undefined) throw new UsageError('--resume continues a batch: pass the same --file as before');
  if (opts.file === undefined && prompt === undefined)
    throw new UsageError('missing PROMPT', { hint: 'octo generate "a prompt" (or --file FILE for a batch)' });
  return opts.file !== undefined ? generateBatch(ctx, opts, opts.file) : generateOne(ctx, opts, prompt!);
}

function flagInput(opts: GenerateFlags, prompt: string): GenerationInput {
  return { prompt, seconds: opts.seconds, size: opts.size, variants: opts.variants, image: opts.image, remix: opts.remix, tags: opts.tag };
}

function describe(plan: Plan): string {
  const v = plan.variants > 1 ? ` × ${plan.variants} variants` : '';
  return `${formatUsd(plan.estimatedCost)} (${plan.model}, ${plan.size}, ${plan.seconds} s${v}, ${plan.mode})`;
}

/** The row as `reserveGenerations` just recorded it (single generate: no batch). */
function freshRow(recorded: NewGeneration, id: string): GenerationRow {
  return {
    id,
    job_id: null,
    status: 'queued',
    prompt: recorded.prompt,
    sora_model: recorded.sora_model,
    duration: recorded.duration,
    resolution: recorded.resolution,
    variants: recorded.variants,
    generation_mode: recorded.generation_mode,
    estimated_cost: recorded.estimated_cost,
    profile_name: recorded.profile_name,
    batch_id: null,
    batch_line: null,
    request: recorded.request ?? null,
    tags: recorded.tags ?? null,
    submitted_at: null,
    finished_at: null,
    failure_reason: null,
    created_at: new Date(),
    files: [],
  };
}

function planResult(plan: Plan, line?: number): LineResult {
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

const RESULT_FIELDS: Column<LineResult>[] = [
  { key: 'id', header: 'id', id: true },
  { key: 'job_id', header: 'job', optional: true },
  { key: 'status', header: 'status' },
  { key: 'model', header: 'model' },
  { key: 'size', header: 'size' },
  { key: 'seconds', header: 'seconds' },
  { key: 'estimated_cost', header: 'estimate', format: (v) => formatUsd(v) },
  { key: 'files', header: 'files', format: (v) => (Array.isArray(v) ? v.join(', ') : '') },
];

async function userProfiles(ctx: GenerateContext) {
  const session = await ctx.session();
  const db = await ctx.db();
  const profiles = await loadUserProfiles(db, session);
  return { session, db, profiles };
}

async function generateOne(ctx: GenerateContext, opts: GenerateFlags, prompt: string): Promise<CommandResult> {
  const { session, db, profiles } = await userProfiles(ctx);
  const profile = selectProfile(profiles, ctx.globals.profile, ctx.setting('default-profile'));
  const input = flagInput(opts, prompt);
  const planOptions = {
    cwd: ctx.cwd,
    defaults: { size: ctx.setting('default-size'), seconds: ctx.setting('default-seconds') },
    prices: loadPricing({ pricingFile: ctx.setting('pricing-file'), cwd: ctx.cwd }),
  };
  let plan = planGeneration(input, profile, planOptions);
  if (plan.remix) plan = planGeneration({ ...input, ...(await remixSource(ctx, profile, plan.remix, opts)) }, profile, planOptions);
  ctx.log.info(`Estimated cost: ${describe(plan)} on profile ${profile.name} — an estimate, not a bill`);
  if (opts.maxCost !== undefined && plan.estimatedCost > opts.maxCost) {
    throw new BudgetError(`the estimate ${formatUsd(plan.estimatedCost)} is above --max-cost ${formatUsd(opts.maxCost)}`, {
      hint: 'nothing was recorded or submitted',
    });
  }
  if (opts.dryRun) return { output: record(planResult(plan), RESULT_FIELDS) };

  // A missing key variable or a credential that gives no token fails here, before anything is recorded.
  await checkSoraAuth(profile, ctx.processEnv);

  const out = downloadDir(ctx, opts.out);
  if (opts.download) await ensureWritableDir(out, 'pass --out DIR (or --no-download)');
  const recorded = newGeneration(plan, { out, download: opts.download });
  const reserved = onlyRow(await reserveGenerations(db, session, [recorded], systemTimeZone(ctx.processEnv)), 'reserve generation');
  const row = freshRow(recorded, reserved.id);
  const view = await createProgress(ctx.io, ctx.globals, { single: true });
  let results: LineResult[];
  try {
    results = await runGenerations([row], { ...runnerOptions(ctx, opts, { db, session, profiles, view }), concurrency: 1, label: () => 'job' });
  } finally {
    view.stop();
  }
  const [result] = results;
  if (!result) throw new Error('runGenerations: no result for the one row it was given');
  const { error, ...shown } = result as LineResult & { error?: unknown };
  if (result.status === 'error') {
    if (ctx.signal.aborted || error instanceof InterruptedError) {
      throw new InterruptedError(`stopped waiting; generation ${row.id}${result.job_id ? ` (job ${result.job_id})` : ''} keeps running remotely`, {
        hint: `pick it up with: octo jobs wait ${row.id}`,
      });
    }
    ctx.log.warn(`generation ${row.id} is recorded; once the problem is fixed, continue it with: octo jobs wait ${row.id}`);
    if (error instanceof Error) throw error;
    throw new GenerationFailedError(result.failure_reason ?? 'generation failed');
  }
  if (result.status === 'failed' || result.status === 'canceled') {
    throw new GenerationFailedError(`generation ${row.id} ${result.status}: ${result.failure_reason ?? 'no reason given'}`, {
      hint:
        result.failure_reason?.includes('moderation') || result.failure_reason?.includes('content_filter')
          ? 'the prompt or image was refused by content moderation; rephrase it'
          : 'recorded as failed; see: octo jobs list --status failed',
    });
  }
  const output = record(shown, RESULT_FIELDS);
  if (result.status !== 'completed' && opts.wait) {
    ctx.log.warn(`still ${result.status} after --timeout; it keeps running remotely. Continue with: octo jobs wait ${row.id}`);
    return { output, exitCode: 8 };
  }
  if (!opts.wait) ctx.log.info(`Submitted. Follow it with: octo jobs wait ${row.id}`);
  return { output };
}

async function readBatch(ctx: GenerateContext, file: string): Promise<{ text: string; path: string; real: string }> {
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

async function generateBatch(ctx: GenerateContext, opts: GenerateFlags, file: string): Promise<CommandResult> {
  if (opts.remix) throw new UsageError('--remix takes one PROMPT; it cannot be used with --file');
  const { text, path, real } = await readBatch(ctx, file);
  const lines = parseBatchFile(text, file);
  if (lines.length === 0) throw new UsageError(`${file}: no prompts (blank lines and # comments are skipped)`);
  const { session, db, profiles } = await userProfiles(ctx);
  const defaults = { size: ctx.setting('default-size'), seconds: ctx.setting('default-seconds') };
  const prices = loadPricing({ pricingFile: ctx.setting('pricing-file'), cwd: ctx.cwd });
  const plans = lines.map(({ line, input, key }) => {
    try {
      const merged: GenerationInput = {
        ...input,
        seconds: input.seconds ?? opts.seconds,
        size: input.size ?? opts.size,
        variants: input.variants ?? opts.variants,
        image: input.image ?? opts.image,
        tags: { ...opts.tag, ...input.tags },
      };
      const profile = selectProfile(profiles, input.profile ?? ctx.globals.profile, ctx.setting('default-profile'));
      return { line, key, plan: planGeneration(merged, profile, { cwd: path === '-' ? ctx.cwd : resolve(path, '..'), defaults, prices }) };
    } catch (error) {
      if (error instanceof UsageError || error instanceof NotFoundError) throw lineError(file, line, error.message);
      throw error;
    }
  });
  const total = roundUsd(plans.reduce((sum, p) => sum + p.plan.estimatedCost, 0));
  ctx.log.info(`Estimated cost: ${formatUsd(total)} for ${plans.length} line${plans.length === 1 ? '' : 's'} — an estimate, not a bill`);
  if (opts.maxCost !== undefined && total > opts.maxCost) {
    throw new BudgetError(`the batch estimate ${formatUsd(total)} is above --max-cost ${formatUsd(opts.maxCost)}`, {
      hint: 'nothing was recorded or submitted',
    });
  }
  if (opts.dryRun) {
    const results = plans.map(({ line, plan }) => planResult(plan, line));
    return { output: batchOutput(results) };
  }

  for (const profile of new Set(plans.map(({ plan }) => plan.profile))) await checkSoraAuth(profile, ctx.processEnv);
  const out = downloadDir(ctx, opts.out);
  if (opts.download) await ensureWritableDir(out, 'pass --out DIR (or --no-download)');
  const batchId = batchIdFor(real, text);
  const keys = plans.map((p) => `${batchId}:${p.key}`);
  // Lines already recorded (by content: an edited or appended file keeps them) are never recorded
  // again; without --resume, a file with any of them is refused before anything is recorded.
  const known = await generationsByKeys(db, session, keys);
  if (!opts.resume && known.length > 0) {
    throw new UsageError(`${known.length} of the ${plans.length} lines of this file were already run (batch ${batchId}); nothing was recorded or submitted`, {
      hint: `run the new or unfinished lines with: octo generate --file ${file} --resume (or see: octo jobs list)`,
    });
  }
  const knownKeys = new Set(known.map((r) => r.idempotency_key));
  const fresh = plans.filter((_, i) => !knownKeys.has(keys[i]!));
  if (fresh.length > 0) {
    await reserveGenerations(
      db,
      session,
      fresh.map(({ line, key, plan }) => newGeneration(plan, { out, download: opts.download, batchId, line, lineKey: key })),
      systemTimeZone(ctx.processEnv),
    );
  }
  // Labelled by where each line is in the file now.
  const lineOf = new Map(keys.map((k, i) => [k, plans[i]!.line]));
  const batchRows = (fresh.length > 0 ? await generationsByKeys(db, session, keys) : known).map((r) => ({
    ...r,
    batch_line: lineOf.get(r.idempotency_key) ?? r.batch_line,
  }));
  if (opts.resume) {
    const done = known.filter((r) => TERMINAL.has(r.status)).length;
    const running = known.length - done;
    ctx.log.info(
      `Resuming batch ${batchId}: ${done} of ${plans.length} lines already finished` +
        `${running ? `, ${running} to continue` : ''}${fresh.length ? `, ${fresh.length} new line${fresh.length === 1 ? '' : 's'} to run` : ''}`,
    );
  }
  const view = await createProgress(ctx.io, ctx.globals, { single: false });
  let results: LineResult[];
  try {
    results = await runGenerations(batchRows, {
      ...runnerOptions(ctx, opts, { db, session, profiles, view }),
      concurrency: opts.concurrency,
      label: (r) => `line ${r.batch_line}`,
    });
  } finally {
    view.stop();
  }
  if (ctx.signal.aborted) {
    throw new InterruptedError('batch interrupted; submitted jobs keep running remotely', {
      hint: `continue it with: octo generate --file ${file} --resume`,
    });
  }
  const failed = results.filter((r) => FAILED.has(r.status)).length;
  const unfinished = results.filter((r) => r.status === 'queued' || r.status === 'running').length;
  const completed = results.filter((r) => r.status === 'completed').length;
  ctx.log.info(`${completed} completed, ${failed} failed${unfinished ? `, ${unfinished} still running` : ''} of ${results.length}`);
  const broken = results.filter((r) => r.status === 'error').length;
  if (broken > 0) ctx.log.warn(`${broken} line(s) stopped on an error before finishing; continue them with: octo generate --file ${file} --resume`);
  else if (unfinished > 0) ctx.log.warn(`continue with: octo generate --file ${file} --resume (or octo jobs wait --all)`);
  if (failed > 0) return { output: batchOutput(results), exitCode: 6 };
  if (unfinished > 0 && opts.wait) return { output: batchOutput(results), exitCode: 8 };
  return { output: batchOutput(results) };
}

function batchOutput(results: LineResult[]) {
  const columns: Column<LineResult>[] = [
    { key: 'line', header: 'line', align: 'right' },
    ...RESULT_FIELDS.filter((c) => c.key !== 'model' && c.key !== 'size' && c.key !== 'seconds'),
    { key: 'prompt', header: 'prompt', flex: true },
    { key: 'failure_reason', header: 'reason', optional: true },
  ];
  return rows(results, columns, { json: results });
}

/** A remix keeps its source's size and duration: read them, so the estimate is right. */
async function remixSource(ctx: GenerateContext, profile: ProfileWithKey, videoId: string, opts: GenerateFlags): Promise<{ size: string; seconds: number }> {
  const client = soraClientFor(profile, ctx.processEnv);
  let source;
  try {
    source = await client.get(videoId, { signal: ctx.signal });
  } catch (error) {
    if (error instanceof SoraNotFoundError) {
      throw new NotFoundError(`no video ${videoId} to remix on profile ${profile.name} (videos expire 24 h after creation)`, { cause: error });
    }
    throw error;
  }
  if (source.status !== 'succeeded') throw new UsageError(`video ${videoId} is ${source.rawStatus}; only completed videos can be remixed`);
  if ((opts.size && opts.size !== `${source.width}x${source.height}`) || (opts.seconds && Number(opts.seconds) !== source.seconds)) {
    throw new UsageError(`a remix keeps its source's size and duration (${source.width}x${source.height}, ${source.seconds} s); drop --size/--seconds`);
  }
  return { size: `${source.width}x${source.height}`, seconds: source.seconds ?? 4 };
}
