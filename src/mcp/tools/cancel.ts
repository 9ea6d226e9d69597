import * as z from 'zod';
import { OctoError } from '../../core/errors.js';
import { lineResult } from '../schemas.js';
import { defineTool } from '../tool.js';

export default defineTool({
  name: 'cancel',
  title: 'Cancel generations',
  description:
    'Cancels generations not yet finished, as `octo jobs cancel` does. Free, and it saves what is not spent yet: a ' +
    'line not yet submitted is marked canceled (never billed); a submitted sora-1 job is deleted at the service. sora-2 has no cancel API: a submitted ' +
    'sora-2 job runs to its end and is billed, so that is refused, as the CLI refuses it. Every id is handled: ' +
    'a refused one is listed in `refused` with its error, and the others are still canceled (one refusal must not ' +
    'let a line that could be canceled be submitted and billed). Only when every id is refused is the call a tool error.',
  input: z.strictObject({
    ids: z.array(z.string().min(1)).min(1).max(100).describe('generation ids (or unique prefixes of 4+ characters) or service job ids'),
  }),
  output: z.looseObject({
    results: z.array(
      lineResult.extend({
        canceled: z.boolean().describe('false: it had already ended; nothing was changed'),
        deleted_at_service: z.boolean(),
        note: z.string().nullable().describe('what the cancel could not do at the service (a create that may have made a job; a profile removed)'),
      }),
    ),
    refused: z
      .array(z.object({ id: z.string(), error: z.object({ code: z.string(), message: z.string(), hint: z.string().optional() }) }))
      .describe('ids that could not be canceled, each with why'),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run({ ctx }, args) {
    const { cancelJob } = await import('../../jobs/cancel.js');
    const done = [];
    const refused: { id: string; error: { code: string; message: string; hint?: string } }[] = [];
    let first: unknown;
    for (const id of args.ids) {
      try {
        const { job, canceled, deletedAtService, note } = await cancelJob(ctx, id);
        done.push({ ...job, canceled, deleted_at_service: deletedAtService, note });
      } catch (error) {
        if (!(error instanceof OctoError)) throw error;
        first ??= error;
        refused.push({ id, error: { code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) } });
      }
    }
    if (done.length === 0) throw first;
    return { results: done, refused };
  },
});
