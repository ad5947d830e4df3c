import { Argument, type Command } from 'commander';
import type { Context } from '../context.js';
import { formatTable, type Column } from '../render/table.js';

/**
 * The one shape of a kfeed command (one file per verb, `src/commands/<noun>/<verb>.ts`):
 * flags, a pure `validate`, `run` that returns a typed result and never prints it, and
 * `render` that turns the result into text for people. `--json` prints the result itself,
 * so people and scripts see the same facts by construction.
 *
 * Long-running commands (produce, consume, demo) stream their records to stdout while they
 * run: the records are the data. Their result is the summary at the end.
 */
export interface CommandSpec<Options extends object, Result> {
  /** The verb under its noun (`grant` in `kfeed acl grant`), or a single-word command. */
  name: string;
  /** One line for `--help` listings. */
  summary: string;
  /** Positional arguments in order; each value lands in the options under `key`. */
  args?: ArgumentSpec[];
  /** Adds the command's flags. */
  flags?(command: Command): Command;
  /** Checks of the parsed options alone (no I/O); throws usage errors. */
  validate?(options: Options): void;
  run(ctx: Context, options: Options): Promise<Result>;
  /** Text for people on stdout (undefined: nothing). */
  render?(result: Result, view: RenderView): string | undefined;
  /** What `--json` prints (default: the result; undefined: nothing, for streams already printed). */
  json?(result: Result): unknown;
  /** The exit code a result stands for (default 0), for checks that report and then fail. */
  exitCode?(result: Result): number;
  /**
   * For a result that fails (non-zero `exitCode`): the one line printed on stderr as
   * `kfeed: <line>`, as every error is, after the report itself on stdout.
   */
  failureLine?(result: Result): string | undefined;
}

export interface ArgumentSpec {
  key: string;
  /** Commander syntax: `<name>`, `[name]`, `<topics...>`. */
  syntax: string;
  description: string;
  /** The only values accepted (checked by commander, offered by shell completion). */
  choices?: string[];
}

/** What rendering may know of the terminal: colour is decided once, by the context. */
export interface RenderView {
  colorful: boolean;
  /** A table as kfeed prints them: aligned columns, or `empty` when there are no rows. */
  table<T>(rows: T[], columns: Column<T>[], empty?: string): string;
}

/** Identity helper that lets TypeScript infer the option and result types of a spec. */
export function defineCommand<Options extends object, Result>(
  spec: CommandSpec<Options, Result>,
): CommandSpec<Options, Result> {
  return spec;
}

export function renderView(ctx: Context): RenderView {
  return {
    colorful: ctx.colorful,
    table: (rows, columns, empty = '(none)') => (rows.length ? formatTable(rows, columns) : empty),
  };
}

/**
 * Adds `spec` under `parent` as `name` (default: the spec's own name), wired to the context:
 * parse -> validate -> run -> print (JSON or rendered) -> exit code.
 */
// The registry holds specs of every option and result type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCommandSpec = CommandSpec<any, any>;

export function attachCommand(
  parent: Command,
  ctx: Context,
  spec: AnyCommandSpec,
  options: { name?: string; hidden?: boolean } = {},
): Command {
  const command = new (parent.constructor as typeof Command)(options.name ?? spec.name).description(spec.summary);
  for (const arg of spec.args ?? []) {
    const argument = new Argument(arg.syntax, arg.description);
    command.addArgument(arg.choices ? argument.choices(arg.choices) : argument);
  }
  spec.flags?.(command);
  command.action(async (...values: unknown[]) => {
    // commander passes the positional values, then the options object, then the command.
    const parsed = values[values.length - 2] as Record<string, unknown>;
    const opts: Record<string, unknown> = { ...parsed };
    (spec.args ?? []).forEach((arg, i) => (opts[arg.key] = values[i]));
    spec.validate?.(opts);
    const result = await spec.run(ctx, opts);
    printResult(ctx, spec, result);
    const code = spec.exitCode?.(result) ?? 0;
    if (code !== 0) {
      ctx.exitCode = code;
      const line = spec.failureLine?.(result);
      if (line) ctx.io.stderr.write(`kfeed: ${line}\n`);
    }
  });
  parent.addCommand(command, { hidden: options.hidden });
  return command;
}

export function printResult(ctx: Context, spec: AnyCommandSpec, result: unknown): void {
  if (ctx.json) {
    const value = spec.json ? spec.json(result) : result;
    if (value !== undefined) ctx.printJson(value);
    return;
  }
  const text = spec.render?.(result, renderView(ctx));
  if (text !== undefined && text !== '') ctx.print(text);
}
