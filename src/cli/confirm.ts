import { askConfirm } from '../auth/input.js';
import { UsageError } from '../core/errors.js';
import type { Deps } from './deps.js';

/**
 * Destructive commands ask first on a terminal; elsewhere they need `--yes` (exit 2 says so),
 * so a script never deletes by accident and a person is never surprised.
 */
export async function confirmDestructive(deps: Deps, yes: boolean | undefined, question: string): Promise<void> {
  if (yes) return;
  if (!deps.interactive) {
    throw new UsageError(`${question.replace(/\?$/, '')}: this needs confirmation, and stdin or stdout is not a terminal`, { hint: 'pass --yes' });
  }
  if (!(await askConfirm(deps, question, '--yes'))) throw new UsageError('nothing was changed (not confirmed)');
}
