import { Command, CommanderError } from 'commander';
import { Context, type IOStreams } from './context.js';
import { attachCommand } from './commands/command.js';
import { COMMANDS, findCommand, type Entry } from './commands/registry.js';
import { ExitCode, KfeedError } from './errors.js';
import { packageVersion } from './package-info.js';

/** The first word that is not an option: the command the user named. */
function commandWord(argv: string[]): string | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  return words[0] === 'help' ? words[1] : words[0];
}

/** The top-level command with its global flags and output settings, before any command is added. */
export function rootProgram(ctx: Context): Command {
  const program = new Command('kfeed')
    .description('Operate a real-time market-data feed on Amazon MSK or Apache Kafka, over mutual TLS.')
    .version(packageVersion(), '-V, --version')
    .option('--json', 'machine-readable output')
    .option('--debug', 'show stack traces and internal details')
    .exitOverride()
    .configureOutput(outputFor(ctx, 'kfeed'));
  program.hook('preAction', (_program, action) => {
    const globals = action.optsWithGlobals() as { json?: boolean; debug?: boolean };
    ctx.json = Boolean(globals.json);
    ctx.debug = Boolean(globals.debug);
  });
  return program;
}

async function buildProgram(argv: string[], ctx: Context): Promise<Command> {
  const program = rootProgram(ctx);
  const wanted = findCommand(commandWord(argv));
  for (const entry of COMMANDS) {
    if (entry === wanted) await addEntry(program, ctx, entry);
    else program.command(entry.name, { hidden: entry.hidden }).description(entry.summary);
  }
  // Subcommands inherit the output settings and exit behaviour.
  for (const command of program.commands) applyToTree(command, ctx);
  return program;
}

/** Loads and wires one registry entry: a single command, or a noun and its verbs. */
export async function addEntry(program: Command, ctx: Context, entry: Entry): Promise<void> {
  if (entry.load) {
    attachCommand(program, ctx, (await entry.load()).default, { name: entry.name, hidden: entry.hidden });
    return;
  }
  const noun = program.command(entry.name, { hidden: entry.hidden }).description(entry.summary);
  for (const verb of entry.verbs ?? [])
    attachCommand(noun, ctx, (await verb.load()).default, { name: verb.name, hidden: verb.hidden });
}

function applyToTree(command: Command, ctx: Context, parents = 'kfeed'): void {
  const name = `${parents} ${command.name()}`;
  command.exitOverride().configureOutput(outputFor(ctx, name));
  for (const sub of command.commands) applyToTree(sub, ctx, name);
}

/** Commander's usage errors become one line, like every other kfeed error. */
function outputFor(ctx: Context, commandPath: string) {
  return {
    writeOut: (s: string) => ctx.io.stdout.write(s),
    writeErr: (s: string) => ctx.io.stderr.write(s),
    outputError: (message: string) => {
      const text = message
        .replace(/^error: /, '')
        .trim()
        .replace(/\s*\n\s*/g, ' ');
      ctx.io.stderr.write(`kfeed: ${text} — see \`${commandPath} --help\`\n`);
    },
  };
}

/** Runs kfeed in-process and returns its exit code; never calls process.exit. */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  try {
    const program = await buildProgram(argv, ctx);
    if (argv.length === 0) {
      program.outputHelp();
      return ExitCode.usage;
    }
    await program.parseAsync(argv, { from: 'user' });
    if (ctx.abort.signal.aborted) return abortCode(ctx);
    return ctx.exitCode ?? ExitCode.ok;
  } catch (error) {
    return reportError(error, ctx, argv);
  }
}

function abortCode(ctx: Context): number {
  return ctx.abort.signal.reason === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted;
}

function reportError(error: unknown, ctx: Context, argv: string[]): number {
  if (error instanceof CommanderError) {
    // Commander already printed the message (or the help / version text).
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    )
      return ExitCode.ok;
    return error.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  const debug = ctx.debug || argv.includes('--debug');
  // A wait cut short by Ctrl-C / SIGTERM: the stop is the outcome, not an error to report.
  // A wait that has something to say about the stop ("it keeps running") says it.
  if (
    ctx.abort.signal.aborted &&
    (!(error instanceof KfeedError) || error.kind === 'interrupted' || error.kind === 'terminated')
  ) {
    if (error instanceof KfeedError && error.message !== 'stopped') ctx.io.stderr.write(`kfeed: ${error.line}\n`);
    if (debug) ctx.io.stderr.write(`${(error as Error)?.stack ?? error}\n`);
    return abortCode(ctx);
  }
  if (error instanceof KfeedError) {
    ctx.io.stderr.write(`kfeed: ${error.line}\n`);
    if (debug)
      ctx.io.stderr.write(
        `${error.stack}\n${error.cause ? 'caused by: ' + ((error.cause as Error).stack ?? error.cause) + '\n' : ''}`,
      );
    return error.exitCode;
  }
  ctx.io.stderr.write(
    `kfeed: unexpected error: ${(error as Error)?.message ?? String(error)} — rerun with --debug and report it\n`,
  );
  if (debug) ctx.io.stderr.write(`${(error as Error)?.stack ?? ''}\n`);
  return ExitCode.internal;
}

/** The binary's entry: real streams and environment, signals wired to the context. */
export async function main(argv: string[]): Promise<void> {
  // The AWS SDK warns on every run that its releases after January 2027 will need Node 22;
  // kfeed pins SDK versions that run on Node 20, so the warning would only break one-line output.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const io: IOStreams = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  const ctx = new Context({ io, env: process.env, cwd: process.cwd() });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    // A second Ctrl-C means "now": give up on the clean stop.
    if (signals > 1) process.exit(signal === 'SIGTERM' ? ExitCode.terminated : ExitCode.interrupted);
    ctx.abort.abort(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0); // `kfeed ... | head` is fine
  });
  const code = await runCli(argv, ctx);
  process.exitCode = code;
  // Sockets and timers that libraries leave behind must not keep a finished command alive.
  setTimeout(() => process.exit(code), 200).unref();
  process.stdin.unref?.();
}
