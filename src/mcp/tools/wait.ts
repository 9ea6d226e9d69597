import * as z from 'zod';
import { notifyingView } from '../progress.js';
import { results } from '../schemas.js';
import { defineTool } from '../tool.js';

/** Long enough for a sora-2 job; short enough that a client without progress-based timeouts still gets its answer. */
const MAX_TIMEOUT_S = 600;

export default defineTool({
  name: 'wait',
  title: 'Wait for generations',
  description:
    'Follows the given generations until each has ended or timeout_seconds passed, with progress notifications ' +
    '(when the call carries a progressToken): submits lines not yet submitted, polls the service, downloads each ' +
    'finished video and records it, exactly as `octo jobs wait` does. Spends nothing beyond what generate recorded ' +
    '(a line it submits was priced and reserved then). ' +
    'Then returns their states (`jobs wait --json` rows): completed ones with their files; queued or running ones ' +
    'keep going at the service (call wait again).',
  input: z.strictObject({
    ids: z.array(z.string().min(1)).min(1).max(100).describe('generation ids (or unique prefixes of 4+ characters) or service job ids'),
    timeout_seconds: z.number().positive().max(MAX_TIMEOUT_S).default(45).describe(`stop waiting after this long (at most ${MAX_TIMEOUT_S})`),
  }),
  output: z.looseObject({
    results,
    summary: z.looseObject({
      lines: z.number(),
      completed: z.number(),
      failed: z.number().describe('failed, canceled, or stopped on an error'),
      errors: z.number().describe('stopped on an error (a next wait continues them)'),
      unfinished: z.number().describe('still queued or running at the service when the time was up'),
    }),
  }),
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: true },
  async run({ ctx, progress }, args) {
    const { waitJobs } = await import('../../jobs/wait.js');
    const view = notifyingView(args.ids.length, progress);
    const { results: outcomes, summary } = await waitJobs(
      { ...ctx, progress: async () => view },
      { ids: args.ids, timeout: args.timeout_seconds * 1000, concurrency: 4 },
    );
    await view.flush();
    return { results: outcomes.map((o) => o.result), summary };
  },
});
