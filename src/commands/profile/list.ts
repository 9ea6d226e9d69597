import { defineCommand } from '../../cli/command.js';
import { rows } from '../../output/result.js';
import { profileJson, PROFILE_COLUMNS } from './view.js';

export default defineCommand({
  async run({ ctx }) {
    const { profiles } = await import('../../profiles/index.js');
    const list = await profiles(ctx);
    const json = list.map(profileJson);
    return rows(json, PROFILE_COLUMNS, {
      empty: 'No profiles yet. Add one: octo profile add NAME --endpoint URL --deployment NAME --sora-version sora-2',
    });
  },
});
