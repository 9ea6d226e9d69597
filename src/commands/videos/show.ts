import { defineCommand, requiredArg } from '../../cli/command.js';
import { record } from '../../output/result.js';

export default defineCommand({
  args: ['<id>'],
  argCompletion: ['videos'],
  async run({ ctx, args }) {
    const { videoDetails } = await import('../../videos/show.js');
    const video = await videoDetails(ctx, requiredArg(args, 0));
    const shown = { ...video, size: `${video.width}x${video.height}` };
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
      video,
    );
  },
});
