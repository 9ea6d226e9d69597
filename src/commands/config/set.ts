import { defineCommand, requiredArg } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { message } from '../../output/result.js';
import { linkDaysProblem, redactSas, storageUrlProblem } from '../../storage/settings.js';
import { checkGenerationDefault } from './defaults.js';
import { requireKey } from './keys.js';

const VALIDATORS: Record<string, (value: string) => string | undefined> = {
  'database-url': (v) => (/^postgres(ql)?:\/\//.test(v) ? undefined : 'must start with postgres:// or postgresql://'),
  'storage-url': storageUrlProblem,
  'storage-link-days': linkDaysProblem,
};

export default defineCommand({
  args: ['<key>', '<value>'],
  argCompletion: ['settings'],
  examples: ['octo config set download-dir ~/videos', 'octo config set default-seconds 8'],
  async run({ ctx, args }) {
    const key = requireKey(requiredArg(args, 0));
    const value = requiredArg(args, 1);
    if (value === '') {
      await ctx.config().unset(key);
      return message(`Cleared ${key}.`, { key, value: null });
    }
    const generation = checkGenerationDefault(key, value);
    const problem = VALIDATORS[key]?.(value) ?? generation.problem;
    if (problem) throw new UsageError(`${key} ${problem} (got "${key === 'database-url' ? '…' : key === 'storage-url' ? redactSas(value) : value}")`);
    if (generation.note) ctx.log.warn(generation.note);
    await ctx.config().set(key, value);
    return message(`Set ${key}.`, { key, set: true });
  },
});
