import { defineCommand, requiredArg } from '../../cli/command.js';
import { record } from '../../output/result.js';
import { describeCredential, profileJson } from './view.js';

export default defineCommand({
  args: ['<name>'],
  argCompletion: ['profiles'],
  async run({ ctx, args }) {
    const [{ showProfile }, { DEFAULT_CREATES_PER_MINUTE }] = await Promise.all([import('../../profiles/index.js'), import('../../generate/runner.js')]);
    const row = await showProfile(ctx, requiredArg(args, 0));
    // What generate paces this profile's sora-2 creates at when --creates-per-minute is not given.
    const pace = (v: number | null, r: { sora_version: string }) =>
      r.sora_version !== 'sora-2'
        ? 'not paced (sora-1)'
        : v === null
          ? `${DEFAULT_CREATES_PER_MINUTE} (Azure's default quota)`
          : v === 0
            ? '0 (unpaced)'
            : String(v);
    return record(profileJson(row), [
      { key: 'name', header: 'name' },
      { key: 'endpoint', header: 'endpoint' },
      { key: 'deployment', header: 'deployment' },
      { key: 'sora_version', header: 'sora version' },
      { key: 'model', header: 'model', format: (v, r) => (r.model_guessed ? `${v} (guessed from the deployment name; set it with --model)` : v) },
      { key: 'is_active', header: 'active' },
      { key: 'credential', header: 'credential', format: (_v, r) => describeCredential(r) },
      { key: 'creates_per_minute', header: 'creates/min', format: pace },
      { key: 'updated_at', header: 'updated' },
    ]);
  },
});
