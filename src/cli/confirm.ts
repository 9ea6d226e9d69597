import { askConfirm } from '../auth/input.js';
import { UsageError } from '../core/errors.js';
import type { Context } from '../context/context.js';

/**
 * Destructive commands ask first on a terminal; elsewhere they need `--yes` (exit 2 says so),
 * so a script never deletes by accident and a person is never surprised.
 */
export async function confirmDestructive(ctx: Pick<Context, 'io' | 'interactive' | 'signal'>, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!ctx.interactive) {
    throw new UsageError(`${question.replace(/\?$/, '')}: this needs confirmation, and stdin or stdout is not a terminal`, { hint: 'pass --yes' });
  }
  if (!(await askConfirm(ctx, question, '--yes'))) throw new UsageError('nothing was changed (not confirmed)');
}
