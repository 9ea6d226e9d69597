import { randomBytes } from 'node:crypto';
import { defineCommand } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { checkRoleName, DEFAULT_MEMBER_ROLE, enableMembers, memberUrl } from '../../db/connection/members.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description: [
    "Run with the owner's database URL. Installs row-level security on octo's and the web app's",
    'tables and creates a login role for members (default octo_member) that reads and changes only',
    "its users' own rows; login, signup and passwd run inside the database. Prints the members' URL",
    '(the same one when run again). `octo db migrate` keeps the policies current.',
  ].join('\n'),
  options: [{ flags: '--role <name>', description: `the member login role (default ${DEFAULT_MEMBER_ROLE})` }],
  examples: ['octo db members enable', 'octo db members enable --role team --json'],
  async run({ ctx, opts }) {
    const target = ctx.databaseTarget();
    if (target.kind === 'embedded') {
      throw new UsageError('the embedded database has one user, its owner: members need Postgres or Neon', {
        hint: 'point octo at a shared database (--database-url or OCTO_DATABASE_URL) first',
      });
    }
    const role = checkRoleName(String(opts.role ?? DEFAULT_MEMBER_ROLE));
    const enabled = await enableMembers(await ctx.db(), role, randomBytes(24).toString('base64url'));
    const url = memberUrl(target.url, enabled.role, enabled.password);
    return message(
      [
        `Members enabled on ${target.label}: role ${enabled.role}, row-level security on ${enabled.tables} tables.`,
        'Give members this URL (keep the owner URL to yourself):',
        url,
      ].join('\n'),
      { role: enabled.role, url, tables: enabled.tables },
    );
  },
});
