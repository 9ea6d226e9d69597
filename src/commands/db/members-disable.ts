import { defineCommand } from '../../cli/command.js';
import { UsageError } from '../../core/errors.js';
import { disableMembers } from '../../db/connection/members.js';
import { message } from '../../output/result.js';

export default defineCommand({
  description: "Run with the owner's database URL. Drops the member role (its URL stops working) and the policies.",
  options: [{ flags: '--yes', description: 'do not ask for confirmation' }],
  examples: ['octo db members disable --yes'],
  async run({ ctx, opts }) {
    if (!opts.yes) {
      if (!ctx.interactive) throw new UsageError('db members disable drops the member role: confirm with --yes');
      const { confirm } = await import('@inquirer/prompts');
      const sure = await confirm(
        { message: 'Drop the member role and its policies? Members lose access.', default: false },
        { input: ctx.io.stdin, output: ctx.io.stderr, signal: ctx.signal },
      );
      if (!sure) return message('Nothing changed.', { role: null, dropped: false });
    }
    const role = await disableMembers(await ctx.db());
    const text = role ? `Members disabled: role ${role} dropped, row-level security removed.` : 'Members were not enabled; nothing changed.';
    return message(text, { role, dropped: Boolean(role) });
  },
});
