import { defineCommand } from '../../cli/command.js';
import { USER_KEYS, type UserKey } from '../../config/store.js';
import { redactUrl } from '../../db/connection/open.js';
import { redactSas } from '../../storage/settings.js';
import { DEFAULTS } from './defaults.js';
import { rows } from '../../output/result.js';

export default defineCommand({
  async run({ ctx }) {
    const values = ctx.config().list();
    const list = (Object.keys(USER_KEYS) as UserKey[]).map((key) => {
      const value = values[key];
      const shown = value && key === 'database-url' ? redactUrl(value) : value && key === 'storage-url' ? redactSas(value) : (value ?? null);
      return { key, value: shown, default: DEFAULTS[key], description: USER_KEYS[key] };
    });
    return rows(list, [
      { key: 'key', header: 'KEY' },
      { key: 'value', header: 'VALUE', format: (v, row) => v ?? `(default: ${row.default})`, flex: true },
      { key: 'description', header: 'DESCRIPTION', optional: true },
    ]);
  },
});
