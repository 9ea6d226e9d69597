import { Command, type CommanderError, Option } from 'commander';
import type { CommandSpec } from './command.js';
import type { Context } from '../context/context.js';
import type { CommandResult, Output } from '../output/result.js';
import { COMMANDS, GROUPS, type CommandEntry } from './commands.js';
import { UsageError } from '../core/errors.js';

/** Global flags that take a value (accepted before any command): skipped when finding the command. */
const GLOBAL_VALUE_FLAGS = new Set(['--profile', '--database-url']);

/**
 * The words of argv where a command name may stand, with their positions: everything before `--`
 * that is not a flag (a global flag's value skipped too).
 */
function* positionalWords(argv: string[]): Generator<{ word: string; at: number }> {
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i]!;
    if (arg === '--') return;
    if (arg.startsWith('-')) {
      if (GLOBAL_VALUE_FLAGS.has(arg)) i += 1;
      continue;
    }
    yield { word: arg, at: i };
  }
}

/** The command that argv names (longest match), without loading any module. */
export function findCommand(argv: string[]): CommandEntry | undefined {
  const words: string[] = [];
  for (const { word } of positionalWords(argv)) {
    words.push(word);
    if (words.length === 3) break;
  }
  for (let n = words.length; n > 0; n -= 1) {
    const name = words.slice(0, n).join(' ');
    const entry = COMMANDS.find((c) => c.name === name);
    if (entry) return entry;
  }
  return undefined;
}

/**
 * `octo help X Y` and `octo X help Y` become `octo X Y --help`, so both print exactly what the
 * command's own --help prints (gh, git). Only a `help` where a command name may stand counts:
 * `octo generate help` is a prompt.
 */
export function helpToFlag(argv: string[]): string[] {
  const words: string[] = [];
  for (const { word, at } of positionalWords(argv)) {
    if (word === 'help') {
      const path = words.join(' ');
      const isGroup = path === '' || COMMANDS.some((c) => c.name.startsWith(`${path} `));
      const isLeaf = path !== '' && COMMANDS.some((c) => c.name === path) && !isGroup;
      if (isGroup && !isLeaf) return [...argv.slice(0, at), ...argv.slice(at + 1), '--help'];
      return argv;
    }
    words.push(word);
  }
  return argv;
}

export interface Invocation {
  name: string;
  globals: Record<string, unknown>;
  /** Runs the command with what commander parsed. */
  run(ctx: Context): Promise<CommandResult | Output | void>;
}

/**
 * Builds the commander tree: stubs (name + summary) for every command, and the full
 * definition of the one being run. Returns what to run, or undefined when commander printed
 * help or the version.
 */
export function buildProgram(
  version: string,
  loaded: { entry: CommandEntry; spec: CommandSpec<any> } | undefined,
  write: { out: (text: string) => void; err: (text: string) => void },
  onInvoke: (invocation: Invocation) => void,
): Command {
  const program = new Command('octo')
    .description('Generate videos with Sora on Azure OpenAI and track what they cost')
    .version(version, '-v, --version')
    .option('--json', 'machine-readable JSON output (a stable contract)')
    .option('--csv', 'CSV output for commands that list rows')
    .option('--profile <name>', 'use this profile instead of the active one (env: OCTO_PROFILE)')
    .option('--database-url <url>', 'Postgres or Neon URL (env: OCTO_DATABASE_URL)')
    .option('--no-color', 'disable colors (also NO_COLOR)')
    .option('-q, --quiet', 'print only data and errors')
    .option('--debug', 'timing of every database round trip and HTTP call on stderr (env: OCTO_DEBUG=1)')
    .showSuggestionAfterError(true)
    // Each command's help lists the global flags it inherits (gh's "INHERITED FLAGS").
    .configureHelp({ showGlobalOptions: true })
    .configureOutput({ writeOut: write.out, writeErr: write.err, outputError: () => undefined })
    .exitOverride();
  program.helpCommand('help [command]', 'Show help for a command (the same as octo COMMAND --help)');

  const groups = new Map<string, Command>();
  const parentFor = (path: string[]): Command => {
    let parent = program;
    for (const [depth, word] of path.slice(0, -1).entries()) {
      const key = path.slice(0, depth + 1).join(' ');
      let group = groups.get(key);
      if (!group) {
        // Subcommands inherit the program's output and exitOverride (commander copies them).
        group = parent.command(word).description(GROUPS[key] ?? '');
        groups.set(key, group);
      }
      parent = group;
    }
    return parent;
  };

  // Running one command needs only it and what is under it (listed in its help); the full
  // tree is for top-level help and suggestions.
  const wanted = (loaded ? COMMANDS.filter((c) => c.name === loaded.entry.name || c.name.startsWith(`${loaded.entry.name} `)) : COMMANDS).filter(
    (c) => !c.hidden || c === loaded?.entry,
  );
  for (const entry of wanted) {
    const path = entry.name.split(' ');
    const parent = parentFor(path);
    // A command may also be a group (`octo costs` beside `octo costs budget show`): one node.
    const command = groups.get(entry.name) ?? parent.command(path.at(-1)!);
    command.description(entry.summary);
    groups.set(entry.name, command);
    if (loaded?.entry === entry) {
      defineCommand(command, entry, loaded.spec, onInvoke);
    } else {
      // Unloaded commands accept anything: they are only listed in help.
      command.allowUnknownOption().allowExcessArguments();
    }
  }
  return program;
}

function defineCommand(command: Command, entry: CommandEntry, spec: CommandSpec<any>, onInvoke: (invocation: Invocation) => void): void {
  if (spec.description) command.description(`${entry.summary}.\n\n${unwrap(spec.description)}`).summary(entry.summary);
  for (const arg of spec.args ?? []) command.argument(arg);
  for (const option of spec.options ?? []) {
    const made = new Option(option.flags, option.description);
    if (option.default !== undefined) made.default(option.default);
    if (option.choices) made.choices([...option.choices]);
    if (option.env) made.env(option.env);
    if (option.parse) made.argParser(option.parse as (value: string, previous: unknown) => unknown);
    if (option.hidden) made.hideHelp();
    command.addOption(made);
  }
  if (spec.examples?.length) {
    command.addHelpText('after', `\nExamples:\n${spec.examples.map((e) => `  $ ${e}`).join('\n')}\n`);
  }
  if (spec.epilog) command.addHelpText('after', spec.epilog);
  command.action((...received: unknown[]) => {
    const self = received.at(-1) as Command;
    const args = received.slice(0, -2).flatMap((a) => (Array.isArray(a) ? a.map(String) : a === undefined ? [] : [String(a)]));
    onInvoke({
      name: entry.name,
      globals: self.optsWithGlobals(),
      run: (ctx) => spec.run({ ctx, opts: self.opts(), args, manifest: { commands: COMMANDS, groups: GROUPS } }),
    });
  });
}

/**
 * Commander's own errors (unknown flag, missing argument) become usage errors (exit 2), pointing
 * at the help of the command that was run (gh: "Run 'gh pr create --help' for usage").
 */
export function fromCommanderError(error: CommanderError, command?: string): UsageError | 'done' {
  if (['commander.helpDisplayed', 'commander.version'].includes(error.code) || error.exitCode === 0) return 'done';
  // A group named without its subcommand: commander printed the group's help above.
  if (error.code === 'commander.help') return new UsageError('a subcommand is needed (see the list above)');
  return new UsageError(error.message.replace(/^error: /, ''), { hint: `see: octo ${command ? `${command} ` : ''}--help` });
}

/** True when argv asks for help (`--help`, `-h`, or `help` turned into `--help`): nothing else runs. */
export function asksForHelp(argv: string[]): boolean {
  const end = argv.indexOf('--');
  return (end < 0 ? argv : argv.slice(0, end)).some((a) => a === '--help' || a === '-h');
}

/**
 * The first word of argv when it names no command or group (`octo help nope`, `octo nope
 * --help`): commander would print the top-level help and exit 0 for those.
 */
export function unknownCommandWord(argv: string[]): string | undefined {
  for (const { word } of positionalWords(argv)) {
    const known = word === 'help' || COMMANDS.some((c) => c.name === word || c.name.startsWith(`${word} `));
    return known ? undefined : word;
  }
  return undefined;
}

/**
 * Joins the lines of each paragraph so commander wraps help text to the terminal's width. An
 * indented line (a list of install lines, a command) keeps its own line and its indentation.
 */
export function unwrap(text: string): string {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) =>
      paragraph
        .split('\n')
        .reduce<string[]>((lines, line) => {
          const last = lines.length - 1;
          if (/^\s/.test(line) || last < 0 || /^\s/.test(lines[last]!)) lines.push(last < 0 ? line.trim() : line.trimEnd());
          else lines[last] = `${lines[last]} ${line.trim()}`;
          return lines;
        }, [])
        .join('\n')
        .trim(),
    )
    .join('\n\n');
}
