import { defineCommand } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['<name>'],
  async run({ deps, args }) {
    const { removeProfile } = await import('../../profiles/index.js');
    const { wasActive } = await removeProfile(deps, args[0]);
    const note = wasActive ? ' It was the active profile: choose another with octo profile use NAME.' : '';
    return message(`Removed profile ${args[0]}.${note}`, { name: args[0], removed: true, was_active: wasActive });
  },
});
