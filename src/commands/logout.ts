import { defineCommand } from '../cli/command.js';
import { message } from '../output/result.js';

export default defineCommand({
  options: [{ flags: '--all', description: 'end every session of your account (all machines)' }],
  async run({ ctx, opts }) {
    const { logout } = await import('../accounts/accounts.js');
    const result = await logout(ctx, opts);
    const text = !result.logged_out
      ? `You were not logged in to ${result.database}.`
      : opts.all
        ? `Logged out of ${result.database}; ended ${result.sessions_ended} session(s).`
        : `Logged out of ${result.database}.`;
    return message(text, result);
  },
});
