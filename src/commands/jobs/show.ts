import { defineCommand, requiredArg } from '../../cli/command.js';
import { formatUsd } from '../../core/money.js';
import { record } from '../../output/result.js';

export default defineCommand({
  description: 'Takes the generation id (or any unique prefix of 4+ characters) or the service job id.',
  args: ['<id>'],
  argCompletion: ['jobs'],
  examples: ['octo jobs show 1b9d6bcd'],
  async run({ ctx, args }) {
    const id = requiredArg(args, 0);
    const { jobDetails } = await import('../../jobs/show.js');
    const job = await jobDetails(ctx, id);
    const shown = { ...job, line: job.batch_line };
    return record(
      shown,
      [
        { key: 'id', header: 'id' },
        { key: 'job_id', header: 'job id at the service' },
        { key: 'status', header: 'status' },
        { key: 'failure_reason', header: 'reason' },
        { key: 'prompt', header: 'prompt' },
        { key: 'sora_model', header: 'model' },
        { key: 'resolution', header: 'size' },
        { key: 'duration', header: 'seconds' },
        { key: 'variants', header: 'variants' },
        { key: 'estimated_cost', header: 'estimate', format: (v) => formatUsd(v) },
        { key: 'profile_name', header: 'profile' },
        {
          key: 'tags',
          header: 'tags',
          format: (v) =>
            Object.entries(v ?? {})
              .map(([k, t]) => `${k}=${t}`)
              .join(', '),
        },
        { key: 'line', header: 'batch line' },
        { key: 'created_at', header: 'created' },
        { key: 'submitted_at', header: 'submitted' },
        { key: 'finished_at', header: 'finished' },
        { key: 'files', header: 'files', format: (v) => v.join(', ') },
      ],
      job,
    );
  },
});
