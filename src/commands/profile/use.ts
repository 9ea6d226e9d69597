import { defineCommand, requiredArg } from '../../cli/command.js';
import { runEnv } from '../../cli/run-env.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['<name>'],
  argCompletion: ['profiles'],
  async run({ deps, args }) {
    const name = requiredArg(args, 0);
    const { useProfile } = await import('../../profiles/index.js');
    await useProfile(runEnv(deps), name);
    return message(`Active profile: ${name}.`, { name, is_active: true });
  },
});
