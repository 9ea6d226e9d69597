import { defineCommand } from '../../cli/command.js';
import { migrationStatus } from '../../db/migrate.js';
import { rows } from '../../output/result.js';

export default defineCommand({
  async run({ deps }) {
    const db = await deps.db();
    const status = await migrationStatus(db);
    const list = [
      ...status.applied.map((name) => ({ name, state: 'applied' })),
      ...status.pending.map((name) => ({ name, state: 'pending' })),
    ];
    return rows(
      list,
      [
        { key: 'name', header: 'MIGRATION' },
        { key: 'state', header: 'STATE' },
      ],
      { json: { driver: db.driver, database: db.label, applied: status.applied, pending: status.pending } },
    );
  },
});
