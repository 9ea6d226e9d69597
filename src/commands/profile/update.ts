import { defineCommand, requiredArg } from '../../cli/command.js';
import { positiveInt } from '../../cli/flag-parsers.js';
import { SORA_VERSIONS } from '../../sora/types.js';
import { message } from '../../output/result.js';
import { MODEL_OPTION, modelGuess, noteUnchecked, profileJson, storing } from './view.js';

export default defineCommand({
  description:
    'Replaces what is given (endpoint, deployment, Sora version, model, API key, create pace) and keeps\n' +
    'the rest. New service settings are checked with one cheap request first, unless --no-check.',
  args: ['<name>'],
  argCompletion: ['profiles'],
  options: [
    { flags: '--endpoint <url>', description: 'resource URL or full request URL' },
    { flags: '--deployment <name>', description: 'Azure deployment name' },
    { flags: '--sora-version <version>', description: 'sora-1 or sora-2', choices: SORA_VERSIONS },
    MODEL_OPTION,
    { flags: '--api-key-stdin', description: 'read the new API key from stdin' },
    {
      flags: '--creates-per-minute <n>',
      description: "sora-2 creates a minute on this profile's Azure resource, shared by every octo on it (default 2, Azure's quota; 0: unpaced)",
      parse: positiveInt('--creates-per-minute', 0),
    },
    { flags: '--no-check', description: 'store without checking the settings against the service' },
  ],
  examples: ['octo profile update prod --api-key-stdin < new-key.txt', 'octo profile update prod --deployment video-pro --model sora-2-pro'],
  async run({ ctx, args, opts }) {
    const { updateProfile } = await import('../../profiles/index.js');
    const change = await storing(updateProfile(ctx, requiredArg(args, 0), opts));
    const row = change.profile;
    noteUnchecked(ctx.log, change);
    const guess = modelGuess(row);
    if (guess) ctx.log.info(`Profile ${row.name}: ${guess}.`);
    return message(`Updated profile ${row.name} (key ${row.api_key_hint}).`, profileJson(row));
  },
});
