import { defineCommand } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['<name>'],
  async run({ deps, args }) {
    const { useProfile } = await import('../../profiles/index.js');
    await useProfile(deps, args[0]);
    return message(`Active profile: ${args[0]}.`, { name: args[0], is_active: true });
  },
});
