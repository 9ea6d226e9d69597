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
    'sora-2 job runs to its end and is billed, so that is refused (a tool error, as the CLI refuses it). Ids are ' +
    'handled in order; a refusal stops the call and says which were canceled before it.',
  input: z.strictObject({
    ids: z.array(z.string().min(1)).min(1).max(100).describe('generation ids (or unique prefixes of 4+ characters) or service job ids'),
  }),
  output: z.looseObject({
    results: z.array(
      lineResult.extend({
        canceled: z.boolean().describe('false: it had already ended; nothing was changed'),
        deleted_at_service: z.boolean(),
      }),
    ),
  }),
  annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true, openWorldHint: true },
  async run({ ctx }, args) {
    const { cancelJob } = await import('../../jobs/cancel.js');
    const done = [];
    for (const id of args.ids) {
      try {
        const { job, canceled, deletedAtService } = await cancelJob(ctx, id);
        done.push({ ...job, canceled, deleted_at_service: deletedAtService });
      } catch (error) {
        const before = done.filter((d) => d.canceled).map((d) => d.id);
        if (!(error instanceof OctoError) || before.length === 0) throw error;
        throw new OctoError(error.code, `${error.message} (canceled before it: ${before.join(', ')})`, { hint: error.hint, cause: error });
      }
    }
    return { results: done };
  },
});
