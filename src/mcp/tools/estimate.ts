import * as z from 'zod';
import { UsageError } from '../../core/errors.js';
import { lineFields, line, results } from '../schemas.js';
import { defineTool } from '../tool.js';

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
    const { lines, ...one } = args;
    if ((lines === undefined) === (one.prompt === undefined))
      throw new UsageError('give a prompt or lines, not both', { hint: 'estimate {"prompt": "…"} or {"lines": [{"prompt": "…"}, …]}' });
    const [{ generate }, { roundUsd }] = await Promise.all([import('../../generate/generate.js'), import('../../core/money.js')]);
    const found = [];
    // As in a batch file: what the call says applies to the lines that do not say.
    for (const [i, own] of (lines ?? [{ prompt: one.prompt! }]).entries()) {
      const l = { ...one, ...own, tags: { ...one.tags, ...own.tags } };
      const lineCtx = { ...ctx, globals: { ...ctx.globals, profile: l.profile ?? ctx.globals.profile } };
      const { results: planned } = await generate(lineCtx, {
        prompt: l.prompt,
        dryRun: true,
        download: false,
        wait: false,
        concurrency: 1,
        seconds: l.seconds?.toString(),
        size: l.size,
        variants: l.variants?.toString(),
        image: l.image,
        tag: l.tags,
      });
      found.push({ ...planned[0]!.result, ...(lines ? { line: i + 1 } : {}) });
    }
    return { results: found, total_cost: roundUsd(found.reduce((sum, r) => sum + (r as { estimated_cost: number }).estimated_cost, 0)) };
  },
});
