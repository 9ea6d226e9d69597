import { defineCommand, requiredArg } from '../../cli/command.js';
import { NotFoundError } from '../../core/errors.js';
import { record } from '../../output/result.js';

export default defineCommand({
  args: ['<id>'],
  argCompletion: ['videos'],
  async run({ ctx, args }) {
    const { findVideo } = await import('../../db/tables/videos.js');
    const id = requiredArg(args, 0);
    const session = await ctx.session();
    const video = await findVideo(await ctx.db(), session, id);
    if (!video) throw new NotFoundError(`no video ${id}`, { hint: 'see: octo videos list' });
    const { profile, ...rest } = video;
    const shown = { ...rest, size: `${video.width}x${video.height}`, profile_name: profile?.name ?? null };
    return record(
      shown,
      [
        { key: 'id', header: 'id' },
        { key: 'prompt', header: 'prompt' },
        { key: 'size', header: 'size' },
        { key: 'duration', header: 'seconds' },
        { key: 'sora_version', header: 'model' },
        { key: 'url', header: 'file' },
        { key: 'thumbnail_url', header: 'thumbnail' },
        { key: 'azure_video_id', header: 'azure id' },
        { key: 'generation_id', header: 'job' },
        { key: 'profile_name', header: 'profile' },
        { key: 'created_at', header: 'created' },
        { key: 'expires_at', header: 'expires at azure' },
      ],
      { ...rest, profile_name: profile?.name ?? null },
    );
  },
});
