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
      const [db, session] = await Promise.all([ctx.db(), ctx.session()]);
      let values: string[] = [];
      if (kind === 'profiles') {
        const { listProfiles } = await import('../db/tables/profiles.js');
        values = (await listProfiles(db, session)).map((p) => p.name);
      } else if (kind === 'jobs') {
        const { listJobs } = await import('../db/tables/generations.js');
        values = (await listJobs(db, session, { limit: 50 })).jobs.map((j) => j.id.slice(0, 8));
      } else if (kind === 'videos') {
        const { listVideos } = await import('../db/tables/videos.js');
        values = (await listVideos(db, session, { limit: 50 })).videos.map((v) => v.id.slice(0, 8));
      }
      return text(values.join('\n'), values);
    } catch {
      return text('', []);
    }
  },
});
