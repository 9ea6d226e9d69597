import { defineCommand, requiredArg } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { message } from '../../output/result.js';
import { linkDaysProblem, redactSas, storageUrlProblem } from '../../storage/settings.js';
import { requireKey } from './keys.js';

const VALIDATORS: Record<string, (value: string) => string | undefined> = {
  'default-size': (v) => (/^\d+x\d+$/.test(v) ? undefined : 'must look like 1280x720'),
  'default-seconds': (v) => (/^\d+$/.test(v) && Number(v) > 0 ? undefined : 'must be a whole number of seconds'),
  'database-url': (v) => (/^postgres(ql)?:\/\//.test(v) ? undefined : 'must start with postgres:// or postgresql://'),
  'storage-url': storageUrlProblem,
  'storage-link-days': linkDaysProblem,
};

export default defineCommand({
  args: ['<key>', '<value>'],
  argCompletion: ['settings'],
  examples: ['octo config set download-dir ~/videos', 'octo config set default-seconds 8'],
  async run({ deps, args }) {
    const key = requireKey(requiredArg(args, 0));
    const value = requiredArg(args, 1);
    if (value === '') {
      await deps.config().unset(key);
      return message(`Cleared ${key}.`, { key, value: null });
    }
    const problem = VALIDATORS[key]?.(value);
    if (problem) throw new UsageError(`${key} ${problem} (got "${key === 'database-url' ? '…' : key === 'storage-url' ? redactSas(value) : value}")`);
    await deps.config().set(key, value);
    return message(`Set ${key}.`, { key, set: true });
  },
});
