import { defineCommand, requiredArg } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['<name>'],
  async run({ deps, args }) {
    const name = requiredArg(args, 0);
    const { removeProfile } = await import('../../profiles/index.js');
    const { wasActive } = await removeProfile(deps, name);
    const note = wasActive ? ' It was the active profile: choose another with octo profile use NAME.' : '';
    return message(`Removed profile ${name}.${note}`, { name, removed: true, was_active: wasActive });
  },
});
