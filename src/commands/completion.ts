import { defineCommand, type Manifest } from '../cli/command.js';
import { UsageError } from '../core/errors.js';
import { text } from '../output/result.js';

const GLOBAL_FLAGS = ['--json', '--csv', '--profile', '--database-url', '--no-color', '--quiet', '--debug', '--help'];

/** Words that may follow each command path ('' is the top level). */
export function completionTree({ commands, groups }: Manifest): Record<string, string[]> {
  const top = new Set(['help']);
  const tree: Record<string, Set<string>> = { '': top };
  for (const { name } of commands) {
    const words = name.split(' ');
    for (const [depth, word] of words.entries()) {
      const parent = words.slice(0, depth).join(' ');
      const next = tree[parent] ?? new Set<string>();
      next.add(word);
      tree[parent] = next;
    }
  }
  for (const group of Object.keys(groups)) top.add(group);
  return Object.fromEntries(Object.entries(tree).map(([k, v]) => [k, [...v].sort()]));
}

function bash(tree: Record<string, string[]>): string {
  const cases = Object.entries(tree)
    .map(([path, words]) => `    "${path}") words="${words.join(' ')}" ;;`)
    .join('\n');
  return `# octo bash completion: eval "$(octo completion bash)"
_octo() {
  local cur path i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  path=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in -*) ;; *) path="\${path:+$path }\${COMP_WORDS[i]}" ;; esac
  done
  local words=""
  case "$path" in
${cases}
  esac
  if [[ "$cur" == -* ]]; then words="${GLOBAL_FLAGS.join(' ')}"; fi
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -F _octo octo
`;
}

function zsh(tree: Record<string, string[]>): string {
  return `#compdef octo
# octo zsh completion: eval "$(octo completion zsh)"
autoload -U +X bashcompinit && bashcompinit
${bash(tree)}`;
}

function fish(tree: Record<string, string[]>): string {
  const lines = ['# octo fish completion: octo completion fish | source', 'complete -c octo -f'];
  for (const [path, words] of Object.entries(tree)) {
    const condition = path
      ? `__fish_seen_subcommand_from ${path.split(' ').at(-1)}`
      : '__fish_use_subcommand';
    for (const word of words) lines.push(`complete -c octo -n '${condition}' -a ${word}`);
  }
  for (const flag of GLOBAL_FLAGS) lines.push(`complete -c octo -l ${flag.slice(2)}`);
  return `${lines.join('\n')}\n`;
}

export default defineCommand({
  args: ['<shell>'],
  examples: ['eval "$(octo completion bash)"', 'octo completion fish | source'],
  async run({ args, manifest }) {
    const shells = { bash, zsh, fish };
    const shell = args[0] as keyof typeof shells;
    if (!(shell in shells)) throw new UsageError(`unknown shell "${args[0]}"`, { hint: 'use bash, zsh or fish' });
    const script = shells[shell](completionTree(manifest));
    return text(script, { shell, script });
  },
});
