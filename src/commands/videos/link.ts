import { defineCommand, requiredArg } from '../../cli/command.js';

export default defineCommand({
  description:
    "A private container's links carry a read-only SAS valid storage-link-days (default 7); when one\n" +
    'has expired, this signs a new one and records it, so the web app plays the video again.',
  args: ['<id>'],
  argCompletion: ['videos'],
  examples: ['octo videos link 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'],
  async run({ ctx, args }) {
    const { linkVideo } = await import('../../videos/storage.js');
    return linkVideo(ctx, requiredArg(args, 0));
  },
});
