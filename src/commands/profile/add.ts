import { defineCommand, requiredArg } from '../../cli/command.js';
import { message } from '../../output/result.js';

export default defineCommand({
  args: ['<name>'],
  options: [
    { flags: '--endpoint <url>', description: 'resource URL or full request URL (default: AZURE_OPENAI_ENDPOINT)' },
    { flags: '--deployment <name>', description: 'Azure deployment name' },
    { flags: '--sora-version <version>', description: 'sora-1 or sora-2', choices: ['sora-1', 'sora-2'] },
    { flags: '--api-key-stdin', description: 'read the API key from stdin (default: AZURE_OPENAI_API_KEY, else asked)' },
  ],
  examples: [
    'octo profile add prod --endpoint https://NAME.openai.azure.com --deployment sora-2 --sora-version sora-2 --api-key-stdin < key.txt',
  ],
  async run({ deps, args, opts }) {
    const { addProfile, profileJson } = await import('../../profiles/index.js');
    const row = await addProfile(deps, requiredArg(args, 0), opts);
    return message(
      `Added profile ${row.name} (key ${row.api_key_hint})${row.is_active ? '; it is the active profile' : `; make it active with: octo profile use ${row.name}`}.`,
      profileJson(row),
    );
  },
});
