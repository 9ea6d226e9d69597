import { defineCommand } from '../cli/command.js';
import { record } from '../output/result.js';
import { loggedInFields } from './login.js';

export default defineCommand({
  options: [
    { flags: '--email <email>', description: 'email address (asked on a terminal)' },
    { flags: '--name <name>', description: 'display name' },
    { flags: '--password-stdin', description: 'read the password from stdin (at least 8 characters)' },
  ],
  examples: ['octo signup', 'printf \'%s\' "$PASSWORD" | octo signup --email a@example.com --name A --password-stdin'],
  async run({ ctx, opts }) {
    const { signup } = await import('../accounts/accounts.js');
    const user = await signup(ctx, opts);
    ctx.log.info(`Created ${user.email} and logged in to ${user.database}.`);
    return record(user, loggedInFields);
  },
});
