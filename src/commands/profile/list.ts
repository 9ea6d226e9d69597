import { defineCommand } from '../../cli/command.js';
import { runEnv } from '../../cli/run-env.js';
import { rows } from '../../output/result.js';

export default defineCommand({
  async run({ deps }) {
    const { profiles, profileJson, PROFILE_COLUMNS } = await import('../../profiles/index.js');
    const list = await profiles(runEnv(deps));
    const json = list.map(profileJson);
    return rows(json, PROFILE_COLUMNS, {
      empty: 'No profiles yet. Add one: octo profile add NAME --endpoint URL --deployment NAME --sora-version sora-2',
    });
  },
});
