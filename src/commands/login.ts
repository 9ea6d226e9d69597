import { defineCommand } from '../cli/command.js';
import type { LoggedIn } from '../accounts/accounts.js';
import type { Column } from '../output/result.js';
import { record } from '../output/result.js';

export const loggedInFields: Column<LoggedIn>[] = [
  { key: 'email', header: 'email' },
  { key: 'name', header: 'name' },
  { key: 'id', header: 'id' },
  { key: 'database', header: 'database' },
  { key: 'session_expires_at', header: 'session expires' },
];

export default defineCommand({
  options: [
    { flags: '--email <email>', description: 'email address (asked on a terminal)' },
    { flags: '--password-stdin', description: 'read the password from stdin' },
  ],
  examples: ['octo login', 'printf \'%s\' "$PASSWORD" | octo login --email a@example.com --password-stdin'],
  async run({ ctx, opts }) {
    const { login } = await import('../accounts/accounts.js');
    const user = await login(ctx, opts);
    ctx.log.info(`Logged in to ${user.database} as ${user.email}.`);
    if (user.password_upgraded) ctx.log.info('Your password hash was upgraded to bcrypt.');
    return record(user, loggedInFields);
  },
});
