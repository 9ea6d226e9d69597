import { defineCommand, requiredArg } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description:
    "Opens the downloaded file (or, when the video was uploaded, its URL) with the system's opener:\n" +
    'open on macOS, xdg-open on Linux, start on Windows. --print prints the path instead.',
  args: ['<id>'],
  argCompletion: ['videos'],
  options: [{ flags: '--print', description: 'print the path (or URL) instead of opening it' }],
  examples: ['octo videos open 5b58cbf5', 'mpv "$(octo videos open 5b58 --print)"'],
  async run({ ctx, args, opts }) {
    const { openWithSystem, videoTarget } = await import('../../videos/open.js');
    const { id, target } = await videoTarget(ctx, requiredArg(args, 0));
    if (opts.print) return message(target, { id, target });
    await openWithSystem(target, { env: ctx.processEnv, platform: process.platform });
    return message(`Opened ${target}`, { id, target, opened: true });
  },
});
