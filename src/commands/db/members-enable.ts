import { randomBytes } from 'node:crypto';
import { defineCommand } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { checkRoleName, enableMembers, memberUrl } from '../../db/connection/members.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description: [
    "Run with the owner's database URL. Installs row-level security on octo's and the web app's",
    'tables and creates a login role for members (default octo_member_<database>) that reads and',
    "changes only its users' own rows and connects to this database only; login, signup and passwd",
    "run inside the database. Prints the members' URL (the same one when run again). Roles belong to",
    'the whole server: one that already serves another database is refused unless --shared-role.',
    '`octo db migrate` keeps the policies current.',
  ].join('\n'),
  options: [
    { flags: '--role <name>', description: 'the member login role (default octo_member_<database>, or the one already enabled here)' },
    { flags: '--shared-role', description: 'let a role that serves another database of the server serve this one too (it keeps its password)' },
  ],
  examples: ['octo db members enable', 'octo db members enable --role team --json', 'octo db members enable --role team --shared-role'],
  async run({ ctx, opts }) {
    const target = ctx.databaseTarget();
    if (target.kind === 'embedded') {
      throw new UsageError('the embedded database has one user, its owner: members need Postgres or Neon', {
        hint: 'point octo at a shared database (--database-url or OCTO_DATABASE_URL) first',
      });
    }
    const role = opts.role === undefined ? undefined : checkRoleName(String(opts.role));
    const enabled = await enableMembers(await ctx.db(), { role, sharedRole: Boolean(opts.sharedRole), newPassword: randomBytes(24).toString('base64url') });
    const url = memberUrl(target.url, enabled.role, enabled.password);
    const shared = enabled.alsoServes.length > 0;
    return message(
      [
        `Members enabled on ${target.label}: role ${enabled.role}${shared ? ` (shared with ${enabled.alsoServes.join(', ')})` : ''}, row-level security on ${enabled.tables} tables.`,
        shared
          ? `The role keeps its password: give members this URL with the password of the role's other member URLs (keep the owner URL to yourself):`
          : 'Give members this URL (keep the owner URL to yourself):',
        url,
      ].join('\n'),
      { role: enabled.role, url, tables: enabled.tables, also_serves: enabled.alsoServes },
    );
  },
});
