import { defineCommand } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  async run({ ctx }) {
    const target = ctx.databaseTarget();
    if (target.kind !== 'embedded') {
      return message(`The database is ${target.label}, not the embedded one: there is no server of octo's to stop.`, { stopped: false, pid: null });
    }
    const { stopServer } = await import('../../db/connection/embedded/connect.js');
    const pid = await stopServer(target.dataDir);
    return pid === undefined
      ? message('No embedded database server is running.', { stopped: false, pid: null })
      : message(`Stopped the embedded database server (pid ${pid}).`, { stopped: true, pid });
  },
});
