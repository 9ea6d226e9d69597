import { defineCommand } from '../../cli/command.js';
import { message } from '../../output/result.js';
import { noteReadiness } from './view.js';

export default defineCommand({
  args: ['[name]'],
  argCompletion: ['profiles'],
  async run({ ctx, args }) {
    const { testProfile } = await import('../../profiles/index.js');
    // At a terminal, say what is being waited for: a hung endpoint was 15 s of silence.
    if (ctx.io.stderr.isTTY && !ctx.globals.json) ctx.log.info('Checking the endpoint with one free request (a list of jobs; up to 15 s)…');
    const result = await testProfile(ctx, args[0]);
    noteReadiness(ctx.log, result);
    return message(`Profile ${result.name} works: ${result.base_url} answered in ${result.latency_ms} ms.`, result);
  },
});
