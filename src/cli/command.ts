import { UsageError } from '../core/errors.js';
import type { Context } from '../context/context.js';
import type { CommandResult, Output } from '../output/result.js';

/**
 * One declarative definition per command (wrangler's `createCommand`). The file that exports it
 * wires flags and calls one function that does the work; rendering belongs to `src/output`.
 * Its name and summary live once, in the manifest (`src/cli/commands.ts`), which loads it lazily,
 * so `octo --help` pays for none of them. The type of `opts` is inferred from `options`.
 */

export interface OptionSpec<F extends string = string> {
  /** commander flags, e.g. `--limit <n>`, `--no-download`, `-q, --quiet`. */
  flags: F;
  description: string;
  default?: unknown;
  /** Parses and validates the raw string; throw UsageError on bad input. */
  parse?: (value: string, previous: any) => unknown;
  /** Choices shown in help and enforced by commander. */
  choices?: readonly string[];
  /** Environment variable that supplies the default. */
  env?: string;
  hidden?: boolean;
  /** What the shell completes for the value (profile names, ids, files). */
  complete?: CompletionSource;
}

/** Dynamic completion values, looked up by `octo __complete` (src/commands/completion.ts). */
export type CompletionSource = 'profiles' | 'jobs' | 'videos' | 'files' | 'dirs' | 'settings' | 'shells';

type Camel<S extends string> = S extends `${infer H}-${infer T}` ? `${H}${Capitalize<Camel<T>>}` : S;
type LongFlag<F extends string> = F extends `${string}--${infer R}` ? (R extends `${infer N} ${string}` ? N : R) : never;
/** `--dry-run` → `dryRun`, `--no-wait` → `wait` (commander's names). */
export type OptionKey<F extends string> = LongFlag<F> extends `no-${infer N}` ? Camel<N> : Camel<LongFlag<F>>;
type TakesValue<F extends string> = F extends `${string}<${string}` | `${string}[${string}` ? true : false;
type OptionValue<O> = O extends { flags: infer F extends string }
  ? TakesValue<F> extends true
    ? O extends { parse: (...a: any[]) => infer R }
      ? R
      : O extends { choices: readonly (infer C)[] }
        ? C
        : string
    : boolean
  : never;
/** Present whenever the command runs: a default, or a `--no-x` flag (commander defaults it to true). */
type Always<O> = O extends { default: NonNullable<unknown> } ? true : O extends { flags: `${string}--no-${string}` } ? true : false;
type Flatten<T> = { [K in keyof T]: T[K] } & {};

/** The options object commander hands `run`, from the option specs. */
export type OptionsOf<T extends readonly OptionSpec[]> = Flatten<
  { [O in T[number] as Always<O> extends true ? OptionKey<O['flags']> : never]: OptionValue<O> } & {
    [O in T[number] as Always<O> extends true ? never : OptionKey<O['flags']>]?: OptionValue<O>;
  }
>;

/** One command in the manifest (src/cli/commands.ts): its name and summary, and how to load it. */
export interface CommandEntry {
  name: string;
  summary: string;
  load: () => Promise<{ default: CommandSpec<any> }>;
  /** Never opens the database: `run` starts no connection for it. */
  noDatabase?: true;
  /** Not listed in help or completion (`__complete`, used by the completion scripts). */
  hidden?: true;
}

/** What help and completion are built from; handed to `run` so no command imports the manifest (which loads it). */
export interface Manifest {
  commands: readonly CommandEntry[];
  /** Command groups and what they are for. */
  groups: Readonly<Record<string, string>>;
}

export interface CommandContext<O> {
  ctx: Context;
  /** This command's own options, camelCased by commander. */
  opts: O;
  /** Every command, for the commands that describe the others (completion). */
  manifest: Manifest;
  /** Positional arguments, in the order of `args`. */
  args: string[];
}

export interface CommandSpec<T extends readonly OptionSpec[] = readonly OptionSpec[]> {
  /** Longer help text shown under `octo NAME --help`. */
  description?: string;
  /** Positional arguments in commander syntax: `<prompt>`, `[name]`, `[files...]`. */
  args?: readonly string[];
  /** What the shell completes for each positional argument, in order. */
  argCompletion?: readonly (CompletionSource | undefined)[];
  options?: T;
  /** Extra help lines (examples) shown after the options. */
  examples?: readonly string[];
  /** Text shown as is after the examples (a config snippet: not re-wrapped). */
  epilog?: string;
  run(context: CommandContext<OptionsOf<T>>): Promise<CommandResult | Output | void>;
}

/**
 * The positional argument at `index`. commander refuses a command whose required argument is
 * missing before `run` is called, so this throws only when a spec and its `run` disagree.
 */
export function requiredArg(args: readonly string[], index: number): string {
  const value = args[index];
  if (value === undefined) throw new UsageError(`missing argument ${index + 1}`);
  return value;
}

export function defineCommand<const T extends readonly OptionSpec[] = []>(spec: CommandSpec<T>): CommandSpec<T> {
  return spec;
}

/** A `--yes` flag for destructive commands (src/cli/confirm.ts asks on a terminal instead). */
export const YES_OPTION = { flags: '-y, --yes', description: 'do not ask for confirmation (needed when not at a terminal)' } as const;
