import { defineCommand } from '../../cli/command.js';
import { runEnv } from '../../cli/run-env.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['[name]'],
  argCompletion: ['profiles'],
  async run({ deps, args }) {
    const { testProfile } = await import('../../profiles/index.js');
    const result = await testProfile(runEnv(deps), args[0]);
    return message(`Profile ${result.name} works: ${result.base_url} answered in ${result.latency_ms} ms.`, result);
  },
});
