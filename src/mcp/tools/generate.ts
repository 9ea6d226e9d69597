import * as z from 'zod';
import { UsageError } from '../../core/errors.js';
import { errorObject } from '../../output/errors.js';
import type { LineResult } from '../../generate/results.js';
import { line, lineFields, results } from '../schemas.js';
import { defineTool } from '../tool.js';
import { batchRequest } from './estimate.js';

export default defineTool({
  name: 'generate',
  title: 'Generate videos (spends money)',
  description:
    'SPENDS MONEY on Azure OpenAI: records and submits one prompt, or a list of lines (a batch), after the same checks ' +
    'as `octo generate` (size, seconds and variants against the model; the estimate against max_cost_usd and the ' +
    "user's monthly budget, reserved atomically across every octo process, so a refused call records nothing). " +
    'Call estimate first. Answers once every line is recorded, with the generation ids (status "queued"); submission ' +
    'goes on in the background, paced to the Azure quota; follow them with wait or job_status. Like `octo generate --no-wait --json`.',
  input: z.strictObject({
    ...lineFields,
    prompt: lineFields.prompt.optional().describe('one prompt (or give lines)'),
    lines: z.array(line).min(1).max(500).optional().describe('a batch: one object per line, as in a JSON Lines batch file'),
    max_cost_usd: z.number().nonnegative().optional().describe('refuse (nothing recorded) when the estimate of the whole call is higher'),
  }),
  output: z.looseObject({ results, total_cost: z.number().describe('USD, the sum of the estimates recorded') }),
  flagArgs: { 'max-cost': 'max_cost_usd' },
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: true },
  async run({ ctx, stopping, track }, args) {
    const { max_cost_usd: maxCost, ...rest } = args;
    const [{ generate }, { roundUsd }] = await Promise.all([import('../../generate/generate.js'), import('../../core/money.js')]);
    let answer!: (lines: LineResult[]) => void;
    const recorded = new Promise<LineResult[]>((resolve) => {
      answer = resolve;
    });
    // Once recorded, the lines are the server's to submit: a client that cancels this call (or
    // has its answer) does not stop that; closing the server does, as Ctrl-C does a terminal's.
    const run = generate({ ...ctx, signal: stopping }, { ...batchRequest(rest), download: true, wait: false, concurrency: 4, maxCost, onRecorded: answer });
    let answered = false;
    track(
      run.then(
        ({ summary }) => {
          if (summary.errors > 0)
            ctx.log.warn(`${summary.errors} line(s) stopped on an error before they were submitted; continue them with: octo jobs wait --all`);
        },
        // Before the answer, the error is the call's (a tool error); after it, only the log can say it.
        (error) => answered && ctx.log.warn(`generate: ${errorObject(error).message}; continue with: octo jobs wait --all`),
      ),
    );
    const lines = await Promise.race([recorded, run.then((g) => g.results.map((o) => o.result))]);
    answered = true;
    if (lines.length === 0) throw new UsageError('nothing to generate');
    return { results: lines, total_cost: roundUsd(lines.reduce((sum, l) => sum + l.estimated_cost, 0)) };
  },
});
