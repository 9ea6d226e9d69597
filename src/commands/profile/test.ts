import { defineCommand } from '../../cli/command.js';
import { message } from '../../output/result.js';
import { noteReadiness } from './view.js';

export default defineCommand({
  args: ['[name]'],
  argCompletion: ['profiles'],
  async run({ ctx, args }) {
    const { testProfile } = await import('../../profiles/index.js');
    const result = await testProfile(ctx, args[0]);
    noteReadiness(ctx.log, result);
    return message(`Profile ${result.name} works: ${result.base_url} answered in ${result.latency_ms} ms.`, result);
  },
});
