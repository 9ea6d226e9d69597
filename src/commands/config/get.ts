import { defineCommand, requiredArg } from '../../cli/command.js';
import { redactUrl } from '../../db/connection/open.js';
import { redactSas } from '../../storage/settings.js';
import { message } from '../../output/result.js';
import { DEFAULTS } from './defaults.js';
import { requireKey } from './keys.js';

export default defineCommand({
  args: ['<key>'],
  argCompletion: ['settings'],
  async run({ ctx, args }) {
    const key = requireKey(requiredArg(args, 0));
    const value = ctx.config().get(key);
    if (value === undefined) return message(`${DEFAULTS[key]} (the default; not set)`, { key, value: null, default: DEFAULTS[key], is_default: true });
    const shown = key === 'database-url' ? redactUrl(value) : key === 'storage-url' ? redactSas(value) : value;
    return message(shown, { key, value: shown, default: DEFAULTS[key], is_default: false });
  },
});
