import { defineCommand, requiredArg } from '../../cli/command.js';
import { message } from '../../output/result.js';
import { DEFAULTS } from './defaults.js';
import { requireKey } from './keys.js';

export default defineCommand({
  args: ['<key>'],
  argCompletion: ['settings'],
  examples: ['octo config unset download-dir'],
  async run({ ctx, args }) {
    const key = requireKey(requiredArg(args, 0));
    const was = ctx.config().get(key) !== undefined;
    await ctx.config().unset(key);
    return message(`${was ? 'Unset' : 'Not set'} ${key}; the default applies: ${DEFAULTS[key]}.`, { key, value: null, was_set: was, default: DEFAULTS[key] });
  },
});
