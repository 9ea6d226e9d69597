import { defineCommand } from '../cli/command.js';
import { record } from '../output/result.js';

export default defineCommand({
  async run({ ctx }) {
    const { whoami } = await import('../accounts/accounts.js');
    const me = await whoami(ctx);
    return record({ ...me }, [
      { key: 'email', header: 'email' },
      { key: 'name', header: 'name' },
      { key: 'id', header: 'id' },
      { key: 'database', header: 'database' },
      { key: 'session_expires_at', header: 'session expires' },
      { key: 'token_source', header: 'token from' },
    ]);
  },
});
