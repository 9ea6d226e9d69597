import { defineCommand, requiredArg } from '../../cli/command.js';
import { record } from '../../output/result.js';

export default defineCommand({
  description: 'Sora keeps videos for 24 hours after creation; after that only the local copy remains.',
  args: ['<id>'],
  argCompletion: ['videos'],
  options: [{ flags: '--out <dir>', description: 'folder (default: config download-dir, else ./octo-videos)', complete: 'dirs' }],
  async run({ ctx, opts, args }) {
    const { downloadVideo } = await import('../../videos/download.js');
    const downloaded = await downloadVideo(ctx, requiredArg(args, 0), opts.out);
    ctx.log.info(`Downloaded ${downloaded.bytes} bytes`);
    return record(downloaded);
  },
});
