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
    const disabled = await disableMembers(await ctx.db());
    if (!disabled) return message('Members were not enabled; nothing changed.', { role: null, dropped: false });
    const text = disabled.dropped
      ? `Members disabled: role ${disabled.role} dropped, row-level security removed.`
      : `Members disabled: row-level security removed; role ${disabled.role} kept (it still serves ${disabled.alsoServes.join(', ')}) but has no access here any more.`;
    return message(text, { role: disabled.role, dropped: disabled.dropped, also_serves: disabled.alsoServes });
  },
});
