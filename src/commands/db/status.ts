import { defineCommand } from '../../cli/command.js';
import { migrationStatus } from '../../db/migrate.js';
import { describeServer, serverJson } from '../../output/embedded-server.js';
import { rows } from '../../output/result.js';

export default defineCommand({
  async run({ deps }) {
    const target = deps.databaseTarget();
    const embedded = target.kind === 'embedded' ? await import('../../db/embedded/connect.js') : undefined;
    // Read before this command's own queries, so the idle time is the server's, not ours.
    let server = embedded && target.kind === 'embedded' ? await embedded.serverStatus(target.dataDir) : undefined;
    const db = await deps.db();
    const status = await migrationStatus(db);
    if (embedded && target.kind === 'embedded' && !server) server = await embedded.serverStatus(target.dataDir);
    const list = [
      ...status.applied.map((name) => ({ name, state: 'applied' })),
      ...status.pending.map((name) => ({ name, state: 'pending' })),
    ];
    const json: Record<string, unknown> = { driver: db.driver, database: db.label, applied: status.applied, pending: status.pending };
    if (embedded) json.server = serverJson(server);
    return rows(
      list,
      [
        { key: 'name', header: 'MIGRATION' },
        { key: 'state', header: 'STATE' },
      ],
      { json, notes: embedded ? [describeServer(server)] : undefined },
    );
  },
});
