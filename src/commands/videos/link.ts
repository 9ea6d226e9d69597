import { defineCommand, requiredArg } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description:
    "A private container's links carry a read-only SAS valid storage-link-days (default 7); when one\n" +
    'has expired, this signs a new one and records it, so the web app plays the video again.',
  args: ['<id>'],
  argCompletion: ['videos'],
  examples: ['octo videos link 1b9d6bcd-bbfd-4b2d-9b5d-ab8dfbbd4bed'],
  async run({ ctx, args }) {
    const { linkVideo } = await import('../../videos/storage.js');
    const link = await linkVideo(ctx, requiredArg(args, 0));
    ctx.log.info(
      link.expires_at ? `Read-only link, valid until ${link.expires_at.toISOString()}:` : 'The container is public-read: this link does not expire.',
    );
    return message(link.url, link);
  },
});
