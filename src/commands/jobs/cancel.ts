import { defineCommand, requiredArg } from '../../cli/command.js';

export default defineCommand({
  description:
    'sora-1: deletes the job at the service (the API has no separate cancel) and records it canceled.\n' +
    'sora-2: the videos API has no cancel; a submitted job runs to its end (and is billed), so octo\n' +
    'refuses and leaves the record as it is. A line never submitted is simply marked canceled.',
  args: ['<id>'],
  argCompletion: ['jobs'],
  async run({ ctx, args }) {
    const { cancelJob } = await import('../../jobs/cancel.js');
    return cancelJob(ctx, requiredArg(args, 0));
  },
});
