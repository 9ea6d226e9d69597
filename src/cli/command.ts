import type { Deps } from './deps.js';
import type { CommandResult, Output } from '../output/result.js';

/**
 * One declarative definition per command (wrangler's `createCommand`). The file that exports it
 * wires flags and calls one function that does the work; rendering belongs to `src/output`.
 * Commands are loaded lazily from `src/cli/commands.ts`, so `octo --help` pays for none of them.
 */

export interface OptionSpec {
  /** commander flags, e.g. `--limit <n>`, `--no-download`, `-q, --quiet`. */
  flags: string;
  description: string;
  default?: unknown;
  /** Parses and validates the raw string; throw UsageError on bad input. */
  parse?: (value: string, previous: unknown) => unknown;
  /** Choices shown in help and enforced by commander. */
  choices?: string[];
  /** Environment variable that supplies the default. */
  env?: string;
  hidden?: boolean;
}

export interface CommandContext<O> {
  deps: Deps;
  /** This command's own options, camelCased by commander. */
  opts: O;
  /** Positional arguments, in the order of `args`. */
  args: string[];
}

export interface CommandSpec<O = Record<string, unknown>> {
  /** Space-separated path, e.g. `videos list`, `login`. */
  name: string;
  summary: string;
  /** Longer help text shown under `octo NAME --help`. */
  description?: string;
  /** Positional arguments in commander syntax: `<prompt>`, `[name]`, `[files...]`. */
  args?: string[];
  options?: OptionSpec[];
  /** Extra help lines (examples) shown after the options. */
  examples?: string[];
  run(context: CommandContext<O>): Promise<CommandResult | Output | void>;
}

export function defineCommand<O = Record<string, unknown>>(spec: CommandSpec<O>): CommandSpec<O> {
  return spec;
}
