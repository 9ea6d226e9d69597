import { defineCommand } from '../cli/command.js';
import { parseTag } from '../generate/plan.js';
import { parseDuration, positiveInt, usd } from '../cli/flag-parsers.js';
import type { Context } from '../context/context.js';
import { GenerationFailedError } from '../core/errors.js';
import { shellArg } from '../core/text.js';
import { formatUsd } from '../core/money.js';
import type { GenerateSummary, Generated } from '../generate/generate.js';
import type { LineOutcome, LineResult } from '../generate/results.js';
import { record, rows, type Column, type CommandResult } from '../output/result.js';

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

const BATCH_FIELDS: Column<LineResult>[] = [
  { key: 'line', header: 'line', align: 'right' },
  ...RESULT_FIELDS.filter((c) => c.key !== 'model' && c.key !== 'size' && c.key !== 'seconds'),
  { key: 'prompt', header: 'prompt', flex: true },
  { key: 'failure_reason', header: 'reason', optional: true },
];

/** What a dry run cannot fill (nothing is recorded, submitted or downloaded) is left out; --json keeps every field. */
const UNFILLED_WHEN_DRY = new Set<keyof LineResult>(['id', 'job_id', 'files', 'failure_reason']);
const dryFields = (fields: Column<LineResult>[]) => fields.filter((c) => !UNFILLED_WHEN_DRY.has(c.key));

/**
 * A dry run checks the budgets a real run would be reserved against: over one, the same refusal
 * (exit 5) a real run would get; within them, a line that says so.
 */
async function dryRunBudgets(ctx: Pick<Context, 'log'>, budgets: GenerateSummary['budgets'] = []): Promise<void> {
  const over = budgets.find((b) => b.over);
  if (over) {
    const { budgetError } = await import('../generate/reserve.js');
    throw budgetError(over, 'a dry run: nothing was recorded or submitted; ');
  }
  for (const b of budgets) {
    const scope = b.profile_name ? `profile ${b.profile_name}'s monthly budget` : 'your monthly budget';
    ctx.log.info(
      `Within ${scope}: ${formatUsd(b.committed)} this month + ${formatUsd(b.requested)} = ${formatUsd(b.committed + b.requested)} of ${formatUsd(b.monthly_usd)}`,
    );
  }
}

export default defineCommand({
  description:
    "Validates the request against the profile's model, prints the estimated cost, records the\n" +
    'generation before anything is spent, submits it, waits (progress on stderr), downloads each\n' +
    'video and thumbnail to --out and records them.\n\n' +
    'Batch: --file FILE (or - for stdin) holds one prompt per line, or JSON Lines with per-line\n' +
    '{prompt, seconds, size, variants, image, profile, tag}; flags apply to lines that do not say, and\n' +
    "images are found relative to the file's folder. The whole file is checked first, then every line\n" +
    'is recorded (and budget-checked) at once. After a crash or Ctrl-C, run the same command with\n' +
    '--resume (or octo jobs wait --all): nothing is submitted twice. A second generate --file of a\n' +
    'file whose run is unfinished joins it (from any machine); once it has finished, --again runs\n' +
    'every line again as a new run.\n\n' +
    'Exit codes: 5 over budget or --max-cost, 6 some batch lines failed, 7 the generation failed,\n' +
    '8 still running when --timeout passed (--no-wait exits 0), 130 interrupted.',
  args: ['[prompt]'],
  options: [
    { flags: '--seconds <n>', description: 'duration (sora-2: 4, 8, 12; sora-1: 1–20)' },
    {
      flags: '--size <WxH>',
      description: 'e.g. 1280x720 (sora-2 default 720x1280, sora-1 1280x720); 1024x1792 and 1792x1024 need a sora-2-pro profile (octo models)',
    },
    { flags: '--variants <n>', description: 'sora-1 only: videos per job (1–4 by size)' },
    { flags: '--image <file>', description: 'image-to-video: start from this image (png, jpg, webp)', complete: 'files' },
    { flags: '--remix <video_id>', description: 'sora-2: remix a completed video with the new prompt' },
    { flags: '--out <dir>', description: 'download folder (default: config download-dir, else ./octo-videos)', complete: 'dirs' },
    { flags: '--no-download', description: 'record the videos without downloading them' },
    { flags: '--no-wait', description: 'return once submitted (exit 0); follow up with: octo jobs wait' },
    { flags: '--dry-run', description: 'validate and print the estimate; record and submit nothing' },
    { flags: '--max-cost <usd>', description: 'refuse (exit 5) when the estimate is higher', parse: usd('--max-cost') },
    { flags: '--tag <key=value>', description: 'label the generation (repeatable), e.g. --tag campaign=q4', parse: parseTag },
    { flags: '--timeout <duration>', description: 'stop waiting after this long (e.g. 15m); exit 8, the job keeps running', parse: parseDuration },
    { flags: '--file <file>', description: 'batch: one prompt per line or JSON Lines; - reads stdin', complete: 'files' },
    { flags: '--concurrency <n>', description: 'batch: jobs in flight at once', default: 4, parse: positiveInt('--concurrency') },
    { flags: '--resume', description: 'batch: continue an interrupted run of the same --file' },
    { flags: '--again', description: 'batch: run every line of a --file whose last run finished again (a new run)' },
    {
      flags: '--creates-per-minute <n>',
      description: "sora-2: creates per minute and profile (Azure's default quota is 2; 0 = unpaced, 429s still pause all workers)",
      parse: positiveInt('--creates-per-minute', 0),
    },
  ],
  examples: [
    'octo generate "a paper boat on a rainy street" --seconds 8',
    'octo generate "the same, at night" --remix video_68f1…',
    'octo generate --file prompts.txt --concurrency 4 --json > results.json',
    'octo generate --file prompts.txt --resume',
  ],
  async run({ ctx, opts, args }) {
    const { generate } = await import('../generate/generate.js');
    const generated = await generate(ctx, { ...opts, prompt: args[0] });
    return generated.summary.batch ? batchEnding(ctx, generated, opts.file ?? '-') : singleEnding(ctx, generated);
  },
});

/** What to do about a failed line, from its reason. */
function failureHint(line: { failure_reason: string | null; profile: string | null }): string {
  const reason = line.failure_reason ?? '';
  if (reason.includes('moderation') || reason.includes('content_filter')) return 'the prompt or image was refused by content moderation; rephrase it';
  if (reason.startsWith('deployment_not_found:')) {
    return `check the deployment's name in the Azure portal, then: octo profile update ${line.profile ?? 'NAME'} --deployment NAME`;
  }
  if (reason.startsWith('model_retired:')) return 'Azure names no replacement; history, costs and downloaded videos stay readable (octo models)';
  return 'recorded as failed; see: octo jobs list --status failed';
}

/** One prompt: its record; a line that failed or stopped on an error ends the command with that error. */
async function singleEnding(ctx: Pick<Context, 'log'>, { results, summary }: Generated): Promise<CommandResult> {
  const [outcome] = results;
  if (!outcome) throw new Error('generate: no result for the one prompt');
  const line = outcome.result;
  const id = line.id ?? '';
  if (outcome.kind === 'error') {
    ctx.log.warn(`generation ${id} is recorded; once the problem is fixed, continue it with: octo jobs wait ${id}`);
    throw outcome.error;
  }
  if (line.status === 'failed' || line.status === 'canceled') {
    throw new GenerationFailedError(`generation ${id} ${line.status}: ${line.failure_reason ?? 'no reason given'}`, {
      hint: failureHint(line),
    });
  }
  if (summary.dryRun) {
    await dryRunBudgets(ctx, summary.budgets);
    return { output: record(line, dryFields(RESULT_FIELDS)) };
  }
  const output = record(line, RESULT_FIELDS);
  if (line.status !== 'completed' && summary.waited) {
    ctx.log.warn(`still ${line.status} after --timeout; it keeps running remotely. Continue with: octo jobs wait ${id}`);
    return { output, exit: 'still_running' };
  }
  if (!summary.waited) ctx.log.info(`Submitted. Follow it with: octo jobs wait ${id}`);
  return { output };
}

/** A batch: one row per line; some failed lines end with batch_failed, lines still running after --timeout with still_running. */
async function batchEnding(ctx: Pick<Context, 'log'>, { results, summary: s }: Generated, file: string): Promise<CommandResult> {
  const lines = results.map((o: LineOutcome) => o.result);
  if (s.dryRun) {
    await dryRunBudgets(ctx, s.budgets);
    return { output: rows(lines, dryFields(BATCH_FIELDS), { json: lines }) };
  }
  const output = rows(lines, BATCH_FIELDS, { json: lines });
  ctx.log.info(`${s.completed} completed, ${s.failed} failed${s.unfinished ? `, ${s.unfinished} still running` : ''} of ${s.lines}`);
  if (s.errors > 0)
    ctx.log.warn(`${s.errors} line(s) stopped on an error before finishing; continue them with: octo generate --file ${shellArg(file)} --resume`);
  else if (s.unfinished > 0) ctx.log.warn(`continue with: octo generate --file ${shellArg(file)} --resume (or octo jobs wait --all)`);
  if (s.failed > 0) return { output, exit: 'batch_failed' };
  if (s.unfinished > 0 && s.waited) return { output, exit: 'still_running' };
  return { output };
}
