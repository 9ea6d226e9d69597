import { defineCommand } from '../../cli/command.js';
import { membersStatus, type MembersStatus } from '../../db/connection/members.js';
import { migrationStatus } from '../../db/connection/migrate.js';
import { describeServer, serverJson } from '../../output/embedded-server.js';
import { rows } from '../../output/result.js';

function rlsNote(members: MembersStatus): string {
  if (!members.row_level_security) return 'Row-level security: off';
  if (members.role_also_serves.length === 0) return `Row-level security: on (member role ${members.role}, serving this database only)`;
  return [
    `Row-level security: on (member role ${members.role}, which also serves ${members.role_also_serves.join(', ')}: its members reach those too)`,
    'To give this database a role of its own: octo db members disable --yes, then octo db members enable',
  ].join('\n');
}

export default defineCommand({
  async run({ ctx }) {
    const target = ctx.databaseTarget();
    const embedded = target.kind === 'embedded' ? await import('../../db/connection/embedded/connect.js') : undefined;
    // Read before this command's own queries, so the idle time is the server's, not ours.
    let server = embedded && target.kind === 'embedded' ? await embedded.serverStatus(target.dataDir) : undefined;
    const db = await ctx.db();
    const [status, members] = await Promise.all([migrationStatus(db), membersStatus(db)]);
    if (embedded && target.kind === 'embedded' && !server) server = await embedded.serverStatus(target.dataDir);
    const list = [...status.applied.map((name) => ({ name, state: 'applied' })), ...status.pending.map((name) => ({ name, state: 'pending' }))];
    const json: Record<string, unknown> = {
      driver: db.driver,
      database: db.label,
      applied: status.applied,
      pending: status.pending,
      row_level_security: members.row_level_security,
      member_role: members.role,
      member_role_also_serves: members.role_also_serves,
    };
    if (embedded) json.server = serverJson(server);
    return rows(
      list,
      [
        { key: 'name', header: 'MIGRATION' },
        { key: 'state', header: 'STATE' },
      ],
      { json, notes: [rlsNote(members), ...(embedded ? [describeServer(server)] : [])] },
    );
  },
});
