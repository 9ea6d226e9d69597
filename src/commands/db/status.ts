import { defineCommand } from '../../cli/command.js';
import { membersStatus, type MembersStatus } from '../../db/connection/members.js';
import { migrationStatus } from '../../db/connection/migrate.js';
import { describeServer, serverJson } from '../../output/embedded-server.js';
import { rows } from '../../output/result.js';

const rlsNote = (members: MembersStatus) => (members.row_level_security ? `Row-level security: on (member role ${members.role})` : 'Row-level security: off');

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
