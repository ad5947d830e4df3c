/**
 * Shell completion scripts for kfeed, generated from a plain description of the command tree
 * (built from the command registry by `kfeed completion`). Pure: text in, text out.
 */

/** What a flag's value or a positional argument completes to. */
export type ValueKind =
  { kind: 'choices'; choices: string[] } | { kind: 'profile' } | { kind: 'file' } | { kind: 'dir' } | { kind: 'any' };

export interface CompletionFlag {
  /** `--partitions` and `-p`. */
  names: string[];
  summary: string;
  /** The value the flag needs; undefined for switches (and flags whose value is optional). */
  value?: ValueKind;
}

export interface CompletionNode {
  name: string;
  summary: string;
  /** Hidden commands (old names) are understood on the line but never offered. */
  hidden: boolean;
  /** The flags given on this command, including those it inherits (`--json`, `--debug`). */
  flags: CompletionFlag[];
  /** Positional arguments in order; the last one repeats when `variadic`. */
  args: ValueKind[];
  variadic: boolean;
  commands: CompletionNode[];
}

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: Shell[] = ['bash', 'zsh', 'fish'];

/** How the scripts ask kfeed for the profile names (one a line), at completion time. */
export const PROFILE_NAMES_COMMAND = 'kfeed completion --profile-names';

export function completionScript(shell: Shell, root: CompletionNode): string {
  if (shell === 'bash') return bashScript(root);
  if (shell === 'zsh') return zshScript(root);
  return fishScript(root);
}

/** Every node with its path of command words (the root's path is empty). */
function walk(node: CompletionNode, path: string[] = [], out: { path: string[]; node: CompletionNode }[] = []) {
  out.push({ path, node });
  for (const child of node.commands) walk(child, [...path, child.name], out);
  return out;
}

/** A word safe inside single quotes in every shell kfeed supports. */
function quote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

function kindWord(value: ValueKind): string {
  return value.kind === 'choices' ? `choices ${value.choices.join(' ')}` : value.kind;
}

function caseArm(pattern: string, body: string): string {
  return `    ${quote(pattern)}) ${body} ;;`;
}

/** The bash function, also used by zsh through bashcompinit. */
export function bashScript(root: CompletionNode): string {
  const nodes = walk(root);
  const children: string[] = [];
  const visible: string[] = [];
  const flags: string[] = [];
  const values: string[] = [];
  const args: string[] = [];
  for (const { path, node } of nodes) {
    const key = path.join(' ');
    if (node.commands.length) {
      children.push(caseArm(key, `echo ${quote(node.commands.map((c) => c.name).join(' '))}`));
      const shown = node.commands.filter((c) => !c.hidden).map((c) => c.name);
      visible.push(caseArm(key, `echo ${quote(shown.join(' '))}`));
    }
    flags.push(caseArm(key, `echo ${quote(node.flags.flatMap((f) => f.names).join(' '))}`));
    for (const flag of node.flags) {
      if (!flag.value) continue;
      for (const name of flag.names) values.push(caseArm(`${key}|${name}`, `echo ${quote(kindWord(flag.value))}`));
    }
    node.args.forEach((arg, i) => {
      const index = node.variadic && i === node.args.length - 1 ? '*' : String(i);
      args.push(`    ${quote(`${key}|`)}${index}) echo ${quote(kindWord(arg))} ;;`);
    });
  }
  return `# kfeed completion for bash. Load it with:  source <(kfeed completion bash)
# Generated from kfeed's command registry; regenerate after upgrading kfeed.

_kfeed_children() {
  case "$1" in
${children.join('\n')}
  esac
}

_kfeed_visible() {
  case "$1" in
${visible.join('\n')}
  esac
}

_kfeed_flags() {
  case "$1" in
${flags.join('\n')}
  esac
}

# The value a flag takes on a command: "choices a b", "profile", "file", "dir" or "any";
# nothing when the flag is a switch.
_kfeed_flag_value() {
  case "$1|$2" in
${values.join('\n')}
  esac
}

_kfeed_arg_value() {
  case "$1|$2" in
${args.join('\n')}
  esac
}

_kfeed_complete_value() {
  local cur="$2"
  case "$1" in
    choices\\ *) COMPREPLY=($(compgen -W "\${1#choices }" -- "$cur")) ;;
    profile) COMPREPLY=($(compgen -W "$(${PROFILE_NAMES_COMMAND} 2>/dev/null)" -- "$cur")) ;;
    file) COMPREPLY=($(compgen -f -- "$cur")) ;;
    dir) COMPREPLY=($(compgen -d -- "$cur")) ;;
    *) COMPREPLY=() ;;
  esac
}

_kfeed() {
  local cur="\${COMP_WORDS[COMP_CWORD]}"
  local path="" word value next children positional=0 i=1
  COMPREPLY=()
  # Find the command named so far, skipping flags and the values they take.
  while [ "$i" -lt "$COMP_CWORD" ]; do
    word="\${COMP_WORDS[i]}"
    case "$word" in
      --*=*) ;;
      -*)
        value="$(_kfeed_flag_value "$path" "$word")"
        if [ -n "$value" ]; then i=$((i + 1)); fi
        ;;
      *)
        children=" $(_kfeed_children "$path") "
        if [ "$positional" -eq 0 ] && [[ "$children" == *" $word "* ]]; then
          if [ -z "$path" ]; then path="$word"; else path="$path $word"; fi
        else
          positional=$((positional + 1))
        fi
        ;;
    esac
    i=$((i + 1))
  done
  if [ "$COMP_CWORD" -gt 1 ]; then
    value="$(_kfeed_flag_value "$path" "\${COMP_WORDS[COMP_CWORD - 1]}")"
    if [ -n "$value" ]; then _kfeed_complete_value "$value" "$cur"; return 0; fi
  fi
  case "$cur" in
    --*=*)
      value="$(_kfeed_flag_value "$path" "\${cur%%=*}")"
      if [ -n "$value" ]; then
        _kfeed_complete_value "$value" "\${cur#*=}"
        next="\${cur%%=*}="
        for i in "\${!COMPREPLY[@]}"; do COMPREPLY[i]="$next\${COMPREPLY[i]}"; done
      fi
      return 0
      ;;
    -*) COMPREPLY=($(compgen -W "$(_kfeed_flags "$path")" -- "$cur")); return 0 ;;
  esac
  children="$(_kfeed_visible "$path")"
  if [ -n "$children" ] && [ "$positional" -eq 0 ]; then
    COMPREPLY=($(compgen -W "$children" -- "$cur"))
    return 0
  fi
  value="$(_kfeed_arg_value "$path" "$positional")"
  [ -n "$value" ] || value="$(_kfeed_arg_value "$path" '*')"
  _kfeed_complete_value "$value" "$cur"
  return 0
}

complete -o default -F _kfeed kfeed
`;
}

function zshScript(root: CompletionNode): string {
  return `#compdef kfeed
# kfeed completion for zsh. Load it with:  source <(kfeed completion zsh)
# (or save it as _kfeed in a folder of $fpath). It runs kfeed's bash completion through
# zsh's bashcompinit, so both shells complete the same words.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit

${bashScript(root).replace(/^# kfeed completion for bash.*\n/, '')}`;
}

function fishScript(root: CompletionNode): string {
  const lines: string[] = [
    '# kfeed completion for fish. Load it with:  kfeed completion fish | source',
    "# (or save it as ~/.config/fish/completions/kfeed.fish). Generated from kfeed's command registry.",
    '',
    '# The command words named so far ("topic create"), skipping flags and their values.',
    'function __kfeed_path',
    '    set -l path',
    '    set -l skip 0',
    '    set -l tokens (commandline -opc)',
    '    for word in $tokens[2..-1]',
    '        if test $skip -eq 1',
    '            set skip 0',
    '            continue',
    '        end',
    '        switch $word',
    '            case "--*=*"',
    '            case "-*"',
    '                if __kfeed_takes_value "$path" $word',
    '                    set skip 1',
    '                end',
    '            case "*"',
    '                if contains -- $word (__kfeed_children "$path")',
    '                    set path $path $word',
    '                end',
    '        end',
    '    end',
    '    echo "$path"',
    'end',
    '',
    'function __kfeed_children',
    '    switch "$argv[1]"',
  ];
  const nodes = walk(root);
  for (const { path, node } of nodes) {
    if (!node.commands.length) continue;
    const names = node.commands.map((c) => quote(c.name)).join(' ');
    lines.push(`        case ${quote(path.join(' '))}`, `            printf '%s\\n' ${names}`);
  }
  lines.push('    end', 'end', '', 'function __kfeed_takes_value', '    switch "$argv[1]|$argv[2]"');
  const takes = nodes.flatMap(({ path, node }) =>
    node.flags.filter((f) => f.value).flatMap((f) => f.names.map((name) => quote(`${path.join(' ')}|${name}`))),
  );
  if (takes.length) lines.push(`        case ${takes.join(' ')}`, '            return 0');
  lines.push('    end', '    return 1', 'end', '', 'complete -c kfeed -f', '');
  for (const { path, node } of nodes) {
    const on = `-n ${quote(`test (__kfeed_path) = ${quote(path.join(' '))}`)}`;
    for (const child of node.commands.filter((c) => !c.hidden)) {
      lines.push(`complete -c kfeed ${on} -a ${quote(child.name)} -d ${quote(child.summary)}`);
    }
    for (const flag of node.flags) {
      const names = flag.names.map((n) => (n.startsWith('--') ? `-l ${quote(n.slice(2))}` : `-s ${quote(n.slice(1))}`));
      lines.push(`complete -c kfeed ${on} ${names.join(' ')}${fishValue(flag.value)} -d ${quote(flag.summary)}`);
    }
    if (!node.commands.length) {
      const first = node.args[0];
      if (first) lines.push(`complete -c kfeed ${on}${fishValue(first)}`);
    }
  }
  return lines.join('\n') + '\n';
}

function fishValue(value: ValueKind | undefined): string {
  if (!value) return '';
  if (value.kind === 'choices') return ` -x -a ${quote(value.choices.join(' '))}`;
  if (value.kind === 'profile') return ` -x -a ${quote(`(${PROFILE_NAMES_COMMAND} 2>/dev/null)`)}`;
  if (value.kind === 'file') return ' -r -F';
  if (value.kind === 'dir') return ` -x -a ${quote('(__fish_complete_directories)')}`;
  return ' -x';
}
