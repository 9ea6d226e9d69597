import { defineCommand, requiredArg, type Manifest, type OptionSpec } from '../cli/command.js';
import { UsageError } from '../core/errors.js';
import { USER_KEYS } from '../config/store.js';
import { bashScript, fishScript, zshScript, type CompletionTree, type FlagNode } from '../output/completion.js';
import { text } from '../output/result.js';

/** The program's own flags (src/cli/program.ts), offered after every command. */
const GLOBAL_FLAGS: FlagNode[] = [
  { long: '--json', description: 'machine-readable JSON output', takesValue: false },
  { long: '--csv', description: 'CSV output for commands that list rows', takesValue: false },
  { long: '--profile', description: 'use this profile instead of the active one', takesValue: true, source: 'profiles' },
  { long: '--database-url', description: 'Postgres or Neon URL', takesValue: true },
  { long: '--no-color', description: 'disable colors', takesValue: false },
  { long: '--quiet', short: '-q', description: 'print only data and errors', takesValue: false },
  { long: '--debug', description: 'timings of every round trip on stderr', takesValue: false },
  { long: '--help', short: '-h', description: 'show help', takesValue: false },
];

function flagNode(option: OptionSpec): FlagNode {
  const long = /--[\w-]+/.exec(option.flags)?.[0] ?? option.flags;
  const short = /(?:^|[\s,])(-\w)\b/.exec(option.flags)?.[1];
  return {
    long,
    ...(short ? { short } : {}),
    description: option.description,
    takesValue: /[<[]/.test(option.flags),
    ...(option.choices ? { choices: option.choices } : {}),
    ...(option.complete ? { source: option.complete } : {}),
  };
}

/** The tree every script is generated from: the manifest, with each command's own flags. */
export async function completionTree(manifest: Manifest): Promise<CompletionTree> {
  const visible = manifest.commands.filter((c) => !c.hidden);
  const specs = await Promise.all(visible.map(async (entry) => ({ entry, spec: (await entry.load()).default })));
  const paths = new Set<string>(['']);
  const children: CompletionTree['children'] = {};
  const add = (parent: string, word: string, summary: string) => {
    const list = children[parent] ?? [];
    children[parent] = list;
    if (!list.some((c) => c.word === word)) list.push({ word, summary });
  };
  for (const { entry } of specs) {
    const words = entry.name.split(' ');
    words.forEach((word, depth) => {
      const parent = words.slice(0, depth).join(' ');
      const path = words.slice(0, depth + 1).join(' ');
      paths.add(path);
      add(parent, word, path === entry.name ? entry.summary : (manifest.groups[path] ?? ''));
    });
  }
  add('', 'help', 'Show help for a command');
  const flags: CompletionTree['flags'] = { '': GLOBAL_FLAGS };
  const args: CompletionTree['args'] = { help: [] };
  for (const { entry, spec } of specs) {
    flags[entry.name] = (spec.options ?? []).map(flagNode);
    if (spec.argCompletion?.length) args[entry.name] = [...spec.argCompletion];
  }
  return { paths: [...paths], children, flags, args, settings: Object.keys(USER_KEYS) };
}

const SHELLS = { bash: bashScript, zsh: zshScript, fish: fishScript };

export default defineCommand({
  description: `Prints a completion script generated from the command tree: subcommands, each command's
flags, flag values, and your profile names, job ids and video ids (looked up when you press TAB).

Install:
  bash  add to ~/.bashrc:  eval "$(octo completion bash)"
  zsh   octo completion zsh > "\${fpath[1]}/_octo"   (then start a new shell)
  fish  octo completion fish > ~/.config/fish/completions/octo.fish`,
  args: ['<shell>'],
  argCompletion: ['shells'],
  examples: ['eval "$(octo completion bash)"', 'octo completion fish > ~/.config/fish/completions/octo.fish'],
  async run({ args, manifest }) {
    const name = requiredArg(args, 0);
    if (!(name in SHELLS)) throw new UsageError(`unknown shell "${name}"`, { hint: 'use bash, zsh or fish' });
    const script = SHELLS[name as keyof typeof SHELLS](await completionTree(manifest));
    return text(script, { shell: name, script });
  },
});
