import { defineCommand, requiredArg } from '../cli/command.js';
import { text } from '../output/result.js';

/**
 * `octo __complete profiles|jobs|videos`: the values only the database knows, one a line, for
 * the completion scripts. Never an error at a prompt: anything that fails prints nothing.
 */
export default defineCommand({
  args: ['<kind>'],
  async run({ ctx, args }) {
    const kind = requiredArg(args, 0);
    try {
      let values: string[] = [];
      if (kind === 'profiles') {
        const { profiles } = await import('../profiles/index.js');
        values = (await profiles(ctx)).map((p) => p.name);
      } else if (kind === 'jobs') {
        const { jobList } = await import('../jobs/list.js');
        values = (await jobList(ctx, { limit: 50 })).jobs.map((j) => j.id.slice(0, 8));
      } else if (kind === 'videos') {
        const { videoList } = await import('../videos/list.js');
        values = (await videoList(ctx, { limit: 50 })).videos.map((v) => v.id.slice(0, 8));
      }
      return text(values.join('\n'), values);
    } catch {
      return text('', []);
    }
  },
});
