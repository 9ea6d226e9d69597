import { defineCommand, requiredArg } from '../../cli/command.js';
import { record } from '../../output/result.js';
import { describeCredential, profileJson } from './view.js';

export default defineCommand({
  args: ['<name>'],
  argCompletion: ['profiles'],
  async run({ ctx, args }) {
    const { showProfile } = await import('../../profiles/index.js');
    const row = await showProfile(ctx, requiredArg(args, 0));
    return record(profileJson(row), [
      { key: 'name', header: 'name' },
      { key: 'endpoint', header: 'endpoint' },
      { key: 'deployment', header: 'deployment' },
      { key: 'sora_version', header: 'sora version' },
      { key: 'is_active', header: 'active' },
      { key: 'credential', header: 'credential', format: (_v, r) => describeCredential(r) },
      { key: 'updated_at', header: 'updated' },
    ]);
  },
});
