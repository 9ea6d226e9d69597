/**
 * Shell completion scripts (bash, zsh, fish), generated from the command tree: subcommands with
 * their summaries, each command's own flags, flag values (choices, files, folders), and the
 * values only the database knows (profile names, job and video ids) through the hidden
 * `octo __complete KIND`. Pure: src/commands/completion.ts builds the tree.
 */

export type ValueSource = 'profiles' | 'jobs' | 'videos' | 'files' | 'dirs' | 'settings' | 'shells';

export interface FlagNode {
  /** `--seconds`, and `-q` when it has a short form. */
  long: string;
  short?: string;
  description: string;
  takesValue: boolean;
  choices?: readonly string[];
  source?: ValueSource;
}

export interface CompletionTree {
  /** Every path that is a command or a group ('' is the top level). */
  paths: string[];
  /** Words that may follow a path, with what they do. */
  children: Record<string, { word: string; summary: string }[]>;
  /** Flags of each command path (the globals are under ''). */
  flags: Record<string, FlagNode[]>;
  /** What each positional argument of a command completes to. */
  args: Record<string, (ValueSource | undefined)[]>;
  settings: string[];
}

const DYNAMIC = new Set<ValueSource>(['profiles', 'jobs', 'videos']);
const sq = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

function bashValues(source: ValueSource | undefined, choices: readonly string[] | undefined, tree: CompletionTree): string {
  if (choices?.length) return `COMPREPLY=($(compgen -W ${sq(choices.join(' '))} -- "$cur"))`;
  if (source === 'files') return 'COMPREPLY=($(compgen -f -- "$cur"))';
  if (source === 'dirs') return 'COMPREPLY=($(compgen -d -- "$cur"))';
  if (source === 'settings') return `COMPREPLY=($(compgen -W ${sq(tree.settings.join(' '))} -- "$cur"))`;
  if (source === 'shells') return `COMPREPLY=($(compgen -W 'bash zsh fish' -- "$cur"))`;
  if (source && DYNAMIC.has(source)) return `COMPREPLY=($(compgen -W "$(octo __complete ${source} 2>/dev/null)" -- "$cur"))`;
  return 'COMPREPLY=()';
}

/** The parts every shell shares: how a path is found while skipping flags and their values. */
function valueFlags(tree: CompletionTree): string[] {
  const all = new Set<string>();
  for (const list of Object.values(tree.flags)) for (const f of list) if (f.takesValue) all.add(f.long);
  return [...all].sort();
}

/** Every command path as shell case alternatives: 'jobs'|'jobs list'|… (bash and zsh alike). */
function pathAlternatives(tree: CompletionTree): string {
  return tree.paths
    .filter(Boolean)
    .map((p) => sq(p))
    .join('|');
}

export function bashScript(tree: CompletionTree): string {
  const pathCases = pathAlternatives(tree);
  const childCases = Object.entries(tree.children)
    .map(([path, words]) => `    ${sq(path)}) words=${sq(words.map((w) => w.word).join(' '))} ;;`)
    .join('\n');
  const flagCases = Object.entries(tree.flags)
    .filter(([path]) => path !== '')
    .map(([path, flags]) => `    ${sq(path)}) words="$words ${flags.map((f) => f.long).join(' ')}" ;;`)
    .join('\n');
  const valueCases: string[] = [];
  for (const [path, flags] of Object.entries(tree.flags)) {
    for (const f of flags) {
      if (!f.takesValue) continue;
      const key = path === '' ? `*"|${f.long}"` : `${sq(`${path}|${f.long}`)}`;
      valueCases.push(`    ${key}) ${bashValues(f.source, f.choices, tree)}; return ;;`);
    }
  }
  const argCases: string[] = [];
  for (const [path, sources] of Object.entries(tree.args)) {
    sources.forEach((source, n) => {
      if (source) argCases.push(`    ${sq(`${path}|${n}`)}) ${bashValues(source, undefined, tree)} ;;`);
    });
  }
  return `# octo bash completion, generated from octo's command tree.
# Install: add this line to ~/.bashrc (bash-completion not needed):
#   eval "$(octo completion bash)"
# or save it once: octo completion bash > ~/.local/share/bash-completion/completions/octo
_octo() {
  local cur prev path="" n=0 i w words=""
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev=""
  ((COMP_CWORD > 0)) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      ${valueFlags(tree).join('|')}) ((i++)); continue ;;
      -*) continue ;;
    esac
    case "\${path:+$path }$w" in
      ${pathCases}) path="\${path:+$path }$w" ;;
      *) ((n++)) ;;
    esac
  done
  case "$path|$prev" in
${valueCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    words="${(tree.flags[''] ?? []).map((f) => f.long).join(' ')}"
    case "$path" in
${flagCases}
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  case "$path" in
${childCases}
  esac
  if [[ -n "$words" && $n -eq 0 ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  case "$path|$n" in
${argCases.join('\n')}
  esac
}
complete -o default -F _octo octo
`;
}

function zshValues(source: ValueSource | undefined, choices: readonly string[] | undefined, tree: CompletionTree): string {
  if (choices?.length) return `compadd -- ${choices.map(sq).join(' ')}`;
  if (source === 'files') return '_files';
  if (source === 'dirs') return '_files -/';
  if (source === 'settings') return `compadd -- ${tree.settings.map(sq).join(' ')}`;
  if (source === 'shells') return 'compadd -- bash zsh fish';
  if (source && DYNAMIC.has(source)) return `compadd -- \${(f)"$(octo __complete ${source} 2>/dev/null)"}`;
  return 'return 1';
}

export function zshScript(tree: CompletionTree): string {
  const described = (items: { name: string; description: string }[]) => items.map((i) => sq(`${i.name.replace(/:/g, '\\:')}:${i.description}`)).join(' ');
  const childCases = Object.entries(tree.children)
    .map(([path, words]) => `    ${sq(path)}) items=(${described(words.map((w) => ({ name: w.word, description: w.summary })))}) ;;`)
    .join('\n');
  const flagItems = (flags: FlagNode[]) => described(flags.map((f) => ({ name: f.long, description: f.description })));
  const flagCases = Object.entries(tree.flags)
    .filter(([path]) => path !== '')
    .map(([path, flags]) => `    ${sq(path)}) items+=(${flagItems(flags)}) ;;`)
    .join('\n');
  const valueCases: string[] = [];
  for (const [path, flags] of Object.entries(tree.flags)) {
    for (const f of flags) {
      if (!f.takesValue) continue;
      const key = path === '' ? `*"|${f.long}"` : sq(`${path}|${f.long}`);
      valueCases.push(`    ${key}) ${zshValues(f.source, f.choices, tree)}; return ;;`);
    }
  }
  const argCases: string[] = [];
  for (const [path, sources] of Object.entries(tree.args)) {
    sources.forEach((source, n) => {
      if (source) argCases.push(`    ${sq(`${path}|${n}`)}) ${zshValues(source, undefined, tree)}; return ;;`);
    });
  }
  return `#compdef octo
# octo zsh completion, generated from octo's command tree.
# Install: save it on your fpath, then start a new shell:
#   octo completion zsh > "\${fpath[1]}/_octo"
# or add to ~/.zshrc (after compinit): eval "$(octo completion zsh)"
_octo() {
  local cur="\${words[CURRENT]}" prev="\${words[CURRENT-1]}" path="" w
  local -i i n=0
  local -a items
  for ((i = 2; i < CURRENT; i++)); do
    w="\${words[i]}"
    case "$w" in
      ${valueFlags(tree).join('|')}) ((i++)); continue ;;
      -*) continue ;;
    esac
    case "\${path:+$path }$w" in
      ${pathAlternatives(tree)}) path="\${path:+$path }$w" ;;
      *) ((n++)) ;;
    esac
  done
  case "$path|$prev" in
${valueCases.join('\n')}
  esac
  if [[ "$cur" == -* ]]; then
    items=(${flagItems(tree.flags[''] ?? [])})
    case "$path" in
${flagCases}
    esac
    _describe -t flags 'flag' items
    return
  fi
  if (( n == 0 )); then
    case "$path" in
${childCases}
    esac
    if (( \${#items} )); then
      _describe -t commands 'command' items
      return
    fi
  fi
  case "$path|$n" in
${argCases.join('\n')}
  esac
  _files
}
if [[ "\${funcstack[1]}" == "_octo" ]]; then
  _octo "$@"
else
  compdef _octo octo
fi
`;
}

function fishValues(source: ValueSource | undefined, choices: readonly string[] | undefined, tree: CompletionTree): string {
  if (choices?.length) return `-f -a ${sq(choices.join(' '))}`;
  if (source === 'files') return '-F';
  if (source === 'dirs') return `-f -a '(__fish_complete_directories)'`;
  if (source === 'settings') return `-f -a ${sq(tree.settings.join(' '))}`;
  if (source === 'shells') return `-f -a 'bash zsh fish'`;
  if (source && DYNAMIC.has(source)) return `-f -a '(octo __complete ${source} 2>/dev/null)'`;
  return '-f';
}

export function fishScript(tree: CompletionTree): string {
  const lines = [
    "# octo fish completion, generated from octo's command tree.",
    '# Install: octo completion fish > ~/.config/fish/completions/octo.fish',
    `set -g __octo_paths ${tree.paths.filter(Boolean).map(sq).join(' ')}`,
    `set -g __octo_value_flags ${valueFlags(tree).map(sq).join(' ')}`,
    'function __octo_path',
    '    set -l tokens (commandline -opc)',
    '    set -e tokens[1]',
    '    set -l path ""',
    '    set -l skip 0',
    '    set -g __octo_n 0',
    '    for t in $tokens',
    '        if test $skip = 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        if contains -- $t $__octo_value_flags',
    '            set skip 1',
    '            continue',
    '        end',
    "        if string match -q -- '-*' $t",
    '            continue',
    '        end',
    '        set -l next (string trim -- "$path $t")',
    '        if contains -- $next $__octo_paths',
    '            set path $next',
    '        else',
    '            set -g __octo_n (math $__octo_n + 1)',
    '        end',
    '    end',
    '    echo $path',
    'end',
    'function __octo_is',
    '    test (__octo_path) = "$argv[1]"',
    'end',
    'function __octo_arg',
    '    test (__octo_path) = "$argv[1]"; and test $__octo_n = $argv[2]',
    'end',
    'complete -c octo -f',
  ];
  for (const [path, words] of Object.entries(tree.children)) {
    for (const w of words) lines.push(`complete -c octo -n ${sq(`__octo_arg ${sq(path)} 0`)} -a ${sq(w.word)} -d ${sq(w.summary)}`);
  }
  for (const [path, flags] of Object.entries(tree.flags)) {
    for (const f of flags) {
      const condition = path === '' ? '' : `-n ${sq(`__octo_is ${sq(path)}`)} `;
      const short = f.short ? ` -s ${f.short.replace(/^-/, '')}` : '';
      const value = f.takesValue ? ` -r ${fishValues(f.source, f.choices, tree)}` : '';
      lines.push(`complete -c octo ${condition}-l ${f.long.replace(/^--/, '')}${short}${value} -d ${sq(f.description)}`);
    }
  }
  for (const [path, sources] of Object.entries(tree.args)) {
    sources.forEach((source, n) => {
      if (source) lines.push(`complete -c octo -n ${sq(`__octo_arg ${sq(path)} ${n}`)} ${fishValues(source, undefined, tree)}`);
    });
  }
  return `${lines.join('\n')}\n`;
}
