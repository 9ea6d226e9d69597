import { defineCommand, requiredArg } from '../../cli/command.js';
import { message, record } from '../../output/result.js';

export default defineCommand({
  description:
    'sora-1: deletes the job at the service (the API has no separate cancel) and records it canceled.\n' +
    'sora-2: the videos API has no cancel; a submitted job runs to its end (and is billed), so octo\n' +
    'refuses and leaves the record as it is. A line never submitted is simply marked canceled (no\n' +
    'profile needed). A line whose create was sent but never answered is canceled in octo; a job the\n' +
    'service made of it is recorded and costed as an extra job of the line when octo finds it. A job\n' +
    'whose profile was removed is canceled in octo only (the note says the remote job was not).',
  args: ['<id>'],
  argCompletion: ['jobs'],
  async run({ ctx, args }) {
    const { cancelJob } = await import('../../jobs/cancel.js');
    const { job, canceled, deletedAtService, note } = await cancelJob(ctx, requiredArg(args, 0));
    if (!canceled) return message(`Job ${job.job_id ?? job.id} already ${job.status}; nothing to cancel.`, job);
    if (deletedAtService) ctx.log.info(`Canceled job ${job.job_id} (deleted at the service).`);
    if (note) ctx.log.warn(`Canceled in octo; ${note}.`);
    return record(job);
  },
});
