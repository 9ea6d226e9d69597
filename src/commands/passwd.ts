import { defineCommand } from '../cli/command.js';
import { message } from '../output/result.js';

export default defineCommand({
  options: [{ flags: '--password-stdin', description: 'read the current and the new password from stdin, one per line' }],
  examples: ['octo passwd', 'printf \'%s\\n%s\\n\' "$OLD" "$NEW" | octo passwd --password-stdin'],
  async run({ ctx, opts }) {
    const { passwd } = await import('../accounts/accounts.js');
    const result = await passwd(ctx, opts);
    return message(`Password changed; ended ${result.sessions_ended} other session(s).`, { changed: true, ...result });
  },
});
