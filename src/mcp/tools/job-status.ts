import * as z from 'zod';
import { defineTool } from '../tool.js';

const time = z.string().nullable();

export default defineTool({
  name: 'job_status',
  title: 'One generation',
  description:
    "One generation's state as recorded: status, failure reason, the service's job id, its estimate, times, and its " +
    'files (local paths, or playable URLs once uploaded to storage). Free: reads the ledger only, never the service ' +
    '(wait follows jobs to their end). Same object as `octo jobs show ID --json`.',
  input: z.strictObject({
    id: z.string().min(1).describe('the generation id (or a unique prefix of 4+ characters), or the service job id'),
  }),
  output: z.looseObject({
    id: z.string(),
    job_id: z.string().nullable(),
    status: z.string().nullable().describe('queued, running, completed, failed or canceled'),
    failure_reason: z.string().nullable(),
    prompt: z.string(),
    sora_model: z.string(),
    resolution: z.string(),
    duration: z.number().describe('seconds'),
    variants: z.number().nullable(),
    generation_mode: z.string(),
    estimated_cost: z.number().describe('USD, an estimate, not a bill'),
    profile_name: z.string().nullable(),
    tags: z.record(z.string(), z.string()).nullable(),
    batch_id: z.string().nullable(),
    batch_line: z.number().nullable(),
    created_at: time,
    submitted_at: time,
    finished_at: time,
    files: z.array(z.string()).describe('local paths of the videos and thumbnails, or their playable URLs'),
  }),
  annotations: { readOnlyHint: true, openWorldHint: false },
  async run({ ctx }, args) {
    const { jobDetails } = await import('../../jobs/show.js');
    return jobDetails(ctx, args.id);
  },
});
