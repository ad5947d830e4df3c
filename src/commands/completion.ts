import { Command, type Argument, type Option } from 'commander';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import {
  completionScript,
  SHELLS,
  type CompletionFlag,
  type CompletionNode,
  type Shell,
  type ValueKind,
} from '../render/completion.js';
import { defineCommand } from './command.js';

export interface CompletionOptions {
  shell?: Shell;
  profileNames?: boolean;
}

export type CompletionResult = { shell: Shell; script: string } | { profiles: string[] };

/** Flags each command has its own of (--help) or that only the top level takes. */
const ROOT_ONLY = new Set(['--help', '--version']);

/** Positional arguments that name an existing profile (`kfeed profile use <name>`). */
const PROFILE_ARGUMENTS = new Set(['profile use', 'profile show', 'profile remove']);

export default defineCommand<CompletionOptions, CompletionResult>({
  name: 'completion',
  summary: 'print the shell completion script (bash, zsh or fish)',
  args: [{ key: 'shell', syntax: '[shell]', description: 'bash, zsh or fish', choices: SHELLS }],
  flags: (command) =>
    command
      .addHelpText(
        'after',
        '\nbash: source <(kfeed completion bash)   zsh: source <(kfeed completion zsh)\n' +
          'fish: kfeed completion fish | source   (or save the output where your shell loads completions)',
      )
      // What the scripts call to complete --profile: the names, one a line.
      .option('--profile-names', 'print the profile names, one a line (used by the scripts)'),
  validate: (options) => {
    if (!options.shell && !options.profileNames) {
      throw new KfeedError('usage', 'which shell? name one of bash, zsh, fish', { hint: 'kfeed completion bash' });
    }
  },
  run: completionRun,
  render: (result) => ('script' in result ? result.script.trimEnd() : result.profiles.join('\n') || undefined),
});

async function completionRun(ctx: Context, options: CompletionOptions): Promise<CompletionResult> {
  if (options.profileNames) return { profiles: Object.keys(ctx.profiles.read().profiles).sort() };
  const shell = options.shell!;
  return { shell, script: completionScript(shell, await commandTree(ctx)) };
}

/** Every registry entry registered on a fresh program, as the plain tree the scripts are made from. */
export async function commandTree(ctx: Context): Promise<CompletionNode> {
  // Loaded here: cli.ts loads this command only when it is named.
  const { addEntry, rootProgram } = await import('../cli.js');
  const { COMMANDS } = await import('./registry.js');
  const program = rootProgram(ctx);
  for (const entry of COMMANDS) await addEntry(program, ctx, entry);
  return describe(program, [], [], false);
}

function describe(command: Command, path: string[], inherited: CompletionFlag[], hidden: boolean): CompletionNode {
  const help = command.createHelp();
  const own = help.visibleOptions(command).map(flag);
  const names = new Set(own.flatMap((f) => f.names));
  // Options of the commands above apply below too (commander parses them anywhere on the line).
  const flags = [...own, ...inherited.filter((f) => !f.names.some((n) => names.has(n)))];
  const shown = new Set(help.visibleCommands(command));
  const passedDown = flags.filter((f) => !ROOT_ONLY.has(f.names[0]));
  const args = command.registeredArguments;
  return {
    name: command.name(),
    summary: command.summary() || command.description(),
    hidden,
    flags,
    args: args.map((arg) => argumentValue(arg, path)),
    variadic: args.length > 0 && args[args.length - 1].variadic,
    commands: command.commands
      .filter((sub) => sub.name() !== 'help')
      .map((sub) => describe(sub, [...path, sub.name()], passedDown, !shown.has(sub))),
  };
}

function flag(option: Option): CompletionFlag {
  const names = [option.long, option.short].filter((n): n is string => Boolean(n));
  // An optional value (`--grant-brokers [principal]`) cannot be told apart from the next word.
  const value = option.required ? valueKind(option.flags, option.argChoices, option.long === '--profile') : undefined;
  return { names, summary: option.description, value };
}

function argumentValue(arg: Argument, path: string[]): ValueKind {
  return valueKind(`<${arg.name()}>`, arg.argChoices, PROFILE_ARGUMENTS.has(path.join(' ')));
}

/** What a value completes to, from its choices, or else the name of its placeholder (`<file>`). */
function valueKind(syntax: string, choices: string[] | undefined, profile: boolean): ValueKind {
  if (choices?.length) return { kind: 'choices', choices };
  if (profile) return { kind: 'profile' };
  const placeholder = /[<[]([^>\]]*)[>\]]/.exec(syntax)?.[1] ?? '';
  if (/dir|folder/i.test(placeholder)) return { kind: 'dir' };
  if (/file|csr|cert|key|pem|path/i.test(placeholder)) return { kind: 'file' };
  return { kind: 'any' };
}
