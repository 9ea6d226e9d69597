import * as z from 'zod';
import { UsageError } from '../../core/errors.js';
import type { GenerateRequest } from '../../generate/generate.js';
import { line, lineFields, results } from '../schemas.js';
import { defineTool } from '../tool.js';

type LineArgs = z.output<typeof line>;
type CallArgs = Partial<LineArgs> & { lines?: LineArgs[] };

/**
 * What generate and estimate ask the engine for: one prompt, or the lines as JSON Lines (checked
 * like a batch file's); what the call itself says applies to the lines that do not say.
 */
export function batchRequest(args: CallArgs): Pick<GenerateRequest, 'prompt' | 'lines' | 'seconds' | 'size' | 'variants' | 'image' | 'tag'> {
  const { lines, prompt, seconds, size, variants, image, tags } = args;
  if ((lines === undefined) === (prompt === undefined)) {
    const hint = 'e.g. {"prompt": "…"} or {"lines": [{"prompt": "…"}, …]}';
    throw new UsageError(lines === undefined ? 'give a prompt or lines' : 'give a prompt or lines, not both', { hint });
  }
  const flags = { seconds: seconds?.toString(), size, variants: variants?.toString(), image, tag: tags };
  return lines === undefined ? { ...flags, prompt } : { ...flags, lines: lines.map((l) => JSON.stringify(l)).join('\n') };
}

export default defineTool({
  name: 'estimate',
  title: 'Estimate the cost',
  description:
    "Checks one prompt, or a list of lines, against its profile's model (size, seconds, variants) and prices it from " +
    "octo's price table, exactly as generate would. Free: records and submits nothing. Call it before generate. " +
    'Each result is a `generate --dry-run --json` object (status "dry-run", id null).',
  input: z.strictObject({
    ...lineFields,
    prompt: lineFields.prompt.optional().describe('one prompt (or give lines)'),
    lines: z.array(line).min(1).max(500).optional().describe('a batch: one object per line, as in a JSON Lines batch file'),
  }),
  output: z.looseObject({ results, total_cost: z.number().describe('USD, the sum of the estimates') }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ ctx }, args) {
    const { generate } = await import('../../generate/generate.js');
    const { results: planned, summary } = await generate(ctx, { ...batchRequest(args), dryRun: true, download: false, wait: false, concurrency: 1 });
    return { results: planned.map((o) => o.result), total_cost: summary.estimatedCost };
  },
});
