import { defineCommand, requiredArg } from '../../cli/command.js';
import { positiveInt } from '../../cli/flag-parsers.js';
import { SORA_VERSIONS } from '../../sora/types.js';
import { shellArg } from '../../core/text.js';
import { message } from '../../output/result.js';
import { MODEL_OPTION, describeCredential, modelGuess, noteUnchecked, profileJson, storing } from './view.js';

export default defineCommand({
  description:
    'NAME is one word you will type after --profile: 1 to 64 letters, digits, -, _ and ., starting\n' +
    'with a letter or digit. Asks on a terminal for what the flags and environment do not give.',
  args: ['<name>'],
  options: [
    { flags: '--endpoint <url>', description: 'resource URL or full request URL (default: AZURE_OPENAI_ENDPOINT)' },
    { flags: '--deployment <name>', description: 'Azure deployment name' },
    { flags: '--sora-version <version>', description: 'sora-1 or sora-2', choices: SORA_VERSIONS },
    MODEL_OPTION,
    { flags: '--api-key-stdin', description: 'read the API key from stdin (default: AZURE_OPENAI_API_KEY, else asked)' },
    { flags: '--api-key-env <name>', description: 'store only the NAME of an environment variable holding the key' },
    {
      flags: '--auth <kind>',
      description: 'api-key (default), azure-cli (az login) or entra (the Azure credential chain): no key stored',
      choices: ['api-key', 'azure-cli', 'entra'],
    },
    {
      flags: '--creates-per-minute <n>',
      description: "sora-2 creates a minute on this profile's Azure resource, shared by every octo on it (default 2, Azure's quota; 0: unpaced)",
      parse: positiveInt('--creates-per-minute', 0),
    },
    { flags: '--no-check', description: 'store without one cheap request that checks endpoint, deployment and key' },
  ],
  examples: [
    'octo profile add prod --endpoint https://NAME.openai.azure.com --deployment sora-2 --sora-version sora-2 --api-key-stdin < key.txt',
    'octo profile add pro --endpoint https://NAME.openai.azure.com --deployment video --model sora-2-pro --api-key-stdin < key.txt',
    'octo profile add work --endpoint https://NAME.openai.azure.com --deployment sora-2 --sora-version sora-2 --auth azure-cli',
  ],
  async run({ ctx, args, opts }) {
    const { addProfile } = await import('../../profiles/index.js');
    const change = await storing(addProfile(ctx, requiredArg(args, 0), opts));
    const row = change.profile;
    if (change.unsetKeyVariable) ctx.log.warn(`${change.unsetKeyVariable} is not set here; commands that use profile ${row.name} will need it`);
    noteUnchecked(ctx.log, change);
    const guess = modelGuess(row);
    if (guess) ctx.log.info(`Profile ${row.name}: ${guess}.`);
    return message(
      `Added profile ${row.name} (${describeCredential(row)})${row.is_active ? '; it is the active profile' : `; make it active with: octo profile use ${shellArg(row.name)}`}.`,
      profileJson(row),
    );
  },
});
