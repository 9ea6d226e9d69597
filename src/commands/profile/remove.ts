import { YES_OPTION, defineCommand, requiredArg } from '../../cli/command.js';
import { confirmDestructive } from '../../cli/confirm.js';
import { shellArg } from '../../core/text.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description:
    'Deletes the profile (its API key with it). Generations made on it stay recorded; unfinished ones\n' +
    'can then no longer be waited for: finish them first (octo jobs wait --all) or cancel them.\n' +
    'Asks first on a terminal; elsewhere pass --yes.',
  args: ['<name>'],
  argCompletion: ['profiles'],
  options: [YES_OPTION],
  async run({ ctx, args, opts }) {
    const name = requiredArg(args, 0);
    const { removeProfile, profileRemoval } = await import('../../profiles/index.js');
    const { unfinished, byStatus } = await profileRemoval(ctx, name);
    const stranded = unfinished ? ` ${unfinished} unfinished job(s) use it and could no longer be waited for.` : '';
    if (unfinished) {
      // The hint lists the statuses those jobs have, so it shows them (a queued job is not `running`).
      const lists = byStatus.map((s) => `octo jobs list --status ${shellArg(s.status)}`).join(' or ');
      ctx.log.warn(`profile ${name} has ${unfinished} unfinished job(s) (${byStatus.map((s) => `${s.n} ${s.status}`).join(', ')}): ${lists}`);
    }
    await confirmDestructive(ctx, opts.yes, `Remove profile ${name}?${stranded}`);
    const { wasActive } = await removeProfile(ctx, name);
    const note = wasActive ? ' It was the active profile: choose another with octo profile use NAME.' : '';
    return message(`Removed profile ${name}.${note}`, { name, removed: true, was_active: wasActive, unfinished_jobs: unfinished });
  },
});
