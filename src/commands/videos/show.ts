import { defineCommand, requiredArg } from '../../cli/command.js';
import { NotFoundError } from '../../core/errors.js';
import { record } from '../../output/result.js';

export default defineCommand({
  args: ['<id>'],
  async run({ deps, args }) {
    const { findVideo } = await import('../../db/videos.js');
    const id = requiredArg(args, 0);
    const session = await deps.session();
    const video = await findVideo(await deps.db(), session, id);
    if (!video) throw new NotFoundError(`no video ${id}`, { hint: 'see: octo videos list' });
    const { profile, ...rest } = video;
    return record({ ...rest, profile_name: profile?.name ?? null });
  },
});
