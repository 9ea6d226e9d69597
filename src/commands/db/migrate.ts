import { defineCommand } from '../../cli/command.js';
import { migrate, migrationStatus } from '../../db/connection/migrate.js';
import { message } from '../../output/result.js';

export default defineCommand({
  async run({ ctx }) {
    const db = await ctx.db();
    const appliedNow = await migrate(db);
    const status = await migrationStatus(db);
    const text = appliedNow.length
      ? `Applied ${appliedNow.length} migration${appliedNow.length === 1 ? '' : 's'} on ${db.label}: ${appliedNow.join(', ')}`
      : `Database ${db.label} is up to date (${status.applied.length} migrations applied).`;
    return message(text, { driver: db.driver, applied_now: appliedNow, applied: status.applied, pending: status.pending });
  },
});
