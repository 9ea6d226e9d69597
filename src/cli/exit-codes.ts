import { OctoError, type ErrorCode } from '../core/errors.js';
import type { CommandResult } from '../output/result.js';

/** The one table of exit codes: scripts branch on these numbers, so a code never changes meaning. */
export const EXIT_CODES: Record<ErrorCode, number> = {
  failure: 1,
  usage: 2,
  not_found: 3,
  auth: 4,
  budget_exceeded: 5,
  batch_failed: 6,
  generation_failed: 7,
  still_running: 8,
  interrupted: 130,
};

export function exitCodeFor(error: unknown): number {
  return error instanceof OctoError ? EXIT_CODES[error.code] : EXIT_CODES.failure;
}

/** The exit of a command that returned (0 unless it named another ending). */
export function exitCodeOfResult(result: CommandResult): number {
  return result.exit ? EXIT_CODES[result.exit] : 0;
}
