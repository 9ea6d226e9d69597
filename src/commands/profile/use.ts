import { defineCommand, requiredArg } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['<name>'],
  argCompletion: ['profiles'],
  async run({ ctx, args }) {
    const name = requiredArg(args, 0);
    const { useProfile } = await import('../../profiles/index.js');
    await useProfile(ctx, name);
    return message(`Active profile: ${name}.`, { name, is_active: true });
  },
});
