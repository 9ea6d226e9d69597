import { BudgetError, InterruptedError, NotFoundError, UsageError } from '../core/errors.js';
import { SoraNotFoundError, checkSoraAuth, soraClientFor } from '../sora/index.js';
import { onlyRow } from '../db/tables/rows.js';
import { currentRows } from '../db/tables/generation-state.js';
import { reserveGenerations } from './reserve.js';
import { budgetsForRows, type GenerationRow, type NewGeneration } from '../db/tables/generations.js';
import type { ProfileWithKey } from '../sora/profile.js';
import { loadPricing } from '../costs/pricing.js';
import { formatUsd } from '../core/money.js';
import { downloadDir, ensureWritableDir } from './out-dir.js';
import { systemTimeZone } from '../costs/period.js';
import { selectProfile } from '../profiles/select.js';
import { newGeneration, planGeneration, type GenerationInput, type Plan } from './plan.js';
import { generateSummary, planResult, userProfiles, type GenerateRequest, type Generated } from './request.js';
import { reported, resultOf, type LineOutcome } from './results.js';
import { runGenerations } from './run.js';
import type { RunnerContext } from './runner.js';

function flagInput(request: GenerateRequest, prompt: string): GenerationInput {
  const { seconds, size, variants, image, remix, tag } = request;
  return { prompt, seconds, size, variants, image, remix, tags: tag };
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

/** `octo generate PROMPT`: plan, estimate, record, then run the one line. */
export async function generateOne(ctx: RunnerContext, request: GenerateRequest, prompt: string): Promise<Generated> {
  const { session, db, profiles } = await userProfiles(ctx);
  const profile = selectProfile(profiles, ctx.globals.profile, ctx.setting('default-profile'));
  const input = flagInput(request, prompt);
  const planOptions = {
    cwd: ctx.cwd,
    defaults: { size: ctx.setting('default-size'), seconds: ctx.setting('default-seconds') },
    prices: loadPricing({ pricingFile: ctx.setting('pricing-file'), cwd: ctx.cwd }),
  };
  let plan = planGeneration(input, profile, planOptions);
  if (plan.remix) plan = planGeneration({ ...input, ...(await remixSource(ctx, profile, plan.remix, request)) }, profile, planOptions);
  // One line that fits 80 columns for the usual values ("Estimated" already says it is not a bill).
  ctx.log.info(`Estimated cost: ${describe(plan)} on profile ${profile.name}`);
  if (request.maxCost !== undefined && plan.estimatedCost > request.maxCost) {
    throw new BudgetError(`the estimate ${formatUsd(plan.estimatedCost)} is above --max-cost ${formatUsd(request.maxCost)}`, {
      hint: 'nothing was recorded or submitted',
    });
  }
  const summaryOf = (results: LineOutcome[], dryRun: boolean) =>
    generateSummary(results, { batch: false, dryRun, waited: request.wait, estimatedCost: plan.estimatedCost, batchId: null });
  if (request.dryRun) {
    const results = [reported(planResult(plan))];
    const wouldRecord = newGeneration(plan, { out: downloadDir(ctx, request.out), download: request.download });
    const budgets = await budgetsForRows(db, session, [wouldRecord], systemTimeZone(ctx.processEnv));
    return { results, summary: { ...summaryOf(results, true), budgets } };
  }

  // A missing key variable or a credential that gives no token fails here, before anything is recorded.
  await checkSoraAuth(profile, ctx.processEnv);

  const out = downloadDir(ctx, request.out);
  if (request.download) await ensureWritableDir(out, 'pass --out DIR (or --no-download)');
  const recorded = newGeneration(plan, { out, download: request.download });
  const reserved = onlyRow(await reserveGenerations(db, session, [recorded], systemTimeZone(ctx.processEnv)), 'reserve generation');
  const row = freshRow(recorded, reserved.id);
  request.onRecorded?.([resultOf(row)]);
  const results = await runGenerations(ctx, [row], profiles, {
    wait: request.wait,
    timeoutMs: request.timeout,
    concurrency: 1,
    createsPerMinute: request.createsPerMinute,
    label: () => 'job',
    single: true,
    out: request.out,
  });
  const [outcome] = results;
  if (!outcome) throw new Error('runGenerations: no result for the one row it was given');
  if (outcome.kind === 'error' && (ctx.signal.aborted || outcome.error instanceof InterruptedError)) {
    // Say what is true of this line: a job the service has, a create that may have reached it, or nothing sent.
    const [now] = await currentRows(db, session, [row.id]).catch(() => []);
    const jobId = now?.job_id ?? outcome.result.job_id;
    const inFlight = !jobId && outcome.error instanceof InterruptedError && /may have reached the service/.test(outcome.error.message);
    throw new InterruptedError(
      jobId
        ? `stopped waiting; generation ${row.id} (job ${jobId}) keeps running at the service`
        : inFlight
          ? `stopped; generation ${row.id}: ${outcome.error.message.replace(/^job: /, '')}`
          : now && !now.submitted_at
            ? `stopped before generation ${row.id} was submitted; nothing was created`
            : `stopped waiting; generation ${row.id} keeps running at the service`,
      { hint: inFlight ? (outcome.error as InterruptedError).hint : `pick it up with: octo jobs wait ${row.id}` },
    );
  }
  return { results, summary: summaryOf(results, false) };
}

/** A remix keeps its source's size and duration: read them, so the estimate is right. */
async function remixSource(
  ctx: Pick<RunnerContext, 'processEnv' | 'signal'>,
  profile: ProfileWithKey,
  videoId: string,
  request: Pick<GenerateRequest, 'size' | 'seconds'>,
): Promise<{ size: string; seconds: number }> {
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
  if ((request.size && request.size !== `${source.width}x${source.height}`) || (request.seconds && Number(request.seconds) !== source.seconds)) {
    throw new UsageError(`a remix keeps its source's size and duration (${source.width}x${source.height}, ${source.seconds} s); drop --size/--seconds`);
  }
  return { size: `${source.width}x${source.height}`, seconds: source.seconds ?? 4 };
}
