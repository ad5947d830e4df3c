import type { Readable, Writable } from 'node:stream';
import { kfeedPaths, type KfeedPaths } from './config/paths.js';
import { ProfileStore } from './config/profiles.js';
import type { ConnectionFlags, ConnectionSettings } from './config/connection.js';
import { KfeedError } from './errors.js';
import { formatTable, type Column } from './render/table.js';

/** The streams a command reads and writes; tests pass their own. */
export interface IOStreams {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
}

export interface Progress {
  update(text: string): void;
  succeed(text: string): void;
  fail(text: string): void;
}

/**
 * Everything a command needs from the outside world, handed in so that tests run commands
 * in-process with their own streams, environment and folders.
 */
export class Context {
  readonly io: IOStreams;
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly paths: KfeedPaths;
  readonly profiles: ProfileStore;
  /** Whether stdout takes colours: a terminal, no NO_COLOR, TERM not dumb (see render/color.ts). */
  readonly colorful: boolean;
  json = false;
  debug = false;
  /** Set by a command whose result is a failure it has already reported (e.g. `cert verify`). */
  exitCode?: number;
  /** Aborted on SIGINT / SIGTERM; long-running commands stop cleanly when it fires. */
  readonly abort = new AbortController();

  constructor(options: { io: IOStreams; env: NodeJS.ProcessEnv; cwd: string }) {
    this.io = options.io;
    this.env = options.env;
    this.cwd = options.cwd;
    this.paths = kfeedPaths(options.env);
    this.profiles = new ProfileStore(this.paths.configDir);
    this.colorful = Boolean(options.io.stdout.isTTY) && !options.env.NO_COLOR && options.env.TERM !== 'dumb';
  }

  /** Whether a person can answer prompts: both ends are terminals and this is not CI. */
  canPrompt(): boolean {
    return Boolean(this.io.stdin.isTTY && this.io.stderr.isTTY) && !this.env.CI;
  }

  // ---- output: stdout carries results (tables or JSON); stderr carries status.

  print(text: string): void {
    this.io.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  printJson(value: unknown): void {
    this.io.stdout.write(JSON.stringify(value, null, 2) + '\n');
  }

  printTable<T>(rows: T[], columns: Column<T>[], empty = '(none)'): void {
    this.print(rows.length ? formatTable(rows, columns) : empty);
  }

  /** Status for people (stderr), silent under --json so scripts read clean output. */
  info(text: string): void {
    if (!this.json) this.io.stderr.write(text + '\n');
  }

  warn(text: string): void {
    this.io.stderr.write(`warning: ${text}\n`);
  }

  /** A spinner on a terminal, plain lines otherwise. */
  progress(text: string): Progress {
    const stream = this.io.stderr;
    if (this.json) return { update() {}, succeed() {}, fail() {} };
    // A terminal that reports no width (some pseudo-terminals) gets plain lines: a spinner
    // there cannot tell how many lines to clear.
    if (!stream.isTTY || !((stream as { columns?: number }).columns! > 0)) {
      stream.write(text + '\n');
      return {
        update: (t) => stream.write(t + '\n'),
        succeed: (t) => stream.write(t + '\n'),
        fail: (t) => stream.write(t + '\n'),
      };
    }
    // ora draws the spinner; it is loaded on first use so that `kfeed --help` stays light.
    // Until it has loaded, updates are remembered and an early finish is written once it is.
    let spinner: import('ora').Ora | undefined;
    let current = text;
    let finished: { ok: boolean; text: string } | undefined;
    void import('ora').then(({ default: ora }) => {
      spinner = ora({ text: current, stream: stream as NodeJS.WritableStream, discardStdin: false });
      if (finished) return finished.ok ? spinner.succeed(finished.text) : spinner.fail(finished.text);
      spinner.start();
    });
    const finish = (ok: boolean, t: string) => {
      if (!spinner) finished = { ok, text: t };
      else if (ok) spinner.succeed(t);
      else spinner.fail(t);
    };
    return {
      update: (t) => {
        current = t;
        if (spinner) spinner.text = t;
      },
      succeed: (t) => finish(true, t),
      fail: (t) => finish(false, t),
    };
  }

  // ---- prompts (inquirer, loaded only when a prompt is shown)

  private async ask<T>(question: Record<string, unknown>): Promise<T> {
    const { default: inquirer } = await import('inquirer');
    const prompt = inquirer.createPromptModule({ input: this.io.stdin, output: this.io.stderr });
    const answers = await prompt([{ ...question, name: 'value' } as never]);
    return (answers as { value: T }).value;
  }

  async promptPassword(message: string, options: { confirm?: boolean } = {}): Promise<string | undefined> {
    if (!this.canPrompt()) return undefined;
    const first = await this.ask<string>({ type: 'password', message, mask: '*' });
    if (options.confirm) {
      const again = await this.ask<string>({ type: 'password', message: 'Repeat the password', mask: '*' });
      if (again !== first) throw new KfeedError('usage', 'the two passwords differ', { hint: 'run the command again' });
    }
    return first;
  }

  async promptConfirm(message: string): Promise<boolean> {
    if (!this.canPrompt()) return false;
    return this.ask<boolean>({ type: 'confirm', message, default: false });
  }

  async promptText(
    message: string,
    options: { default?: string; validate?: (v: string) => true | string } = {},
  ): Promise<string> {
    return this.ask<string>({ type: 'input', message, default: options.default, validate: options.validate });
  }

  async promptSelect<T extends string>(message: string, choices: Array<{ name: string; value: T }>): Promise<T> {
    return this.ask<T>({ type: 'select', message, choices });
  }

  // ---- connections

  async connection(flags: ConnectionFlags): Promise<ConnectionSettings> {
    // Loaded here, not at start-up: it reads keys with node:crypto, which `--help` never needs.
    const { resolveConnection } = await import('./config/connection.js');
    const settings = await resolveConnection({
      flags,
      env: this.env,
      cwd: this.cwd,
      profiles: this.profiles,
      secrets: { password: (message) => this.promptPassword(message) },
    });
    return { ...settings, signal: this.abort.signal };
  }
}
