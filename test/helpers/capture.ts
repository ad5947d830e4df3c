import { PassThrough, Readable } from 'node:stream';
import { runCli } from '../../src/cli.js';
import { Context } from '../../src/context.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Starts kfeed in-process with captured output. `ctx` is the command's context (abort it as
 * SIGINT would); `done` resolves when the command ends. No vitest imports: the global setup
 * uses this too.
 */
export function startInProcess(
  args: string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; stdin?: string | Readable },
) {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const stdin =
    options.stdin instanceof Readable
      ? options.stdin
      : Readable.from(options.stdin === undefined ? [] : [options.stdin]);
  const ctx = new Context({ io: { stdin, stdout, stderr }, env: options.env, cwd: options.cwd });
  const done: Promise<RunResult> = runCli(args, ctx).then((code) => ({ code, stdout: out, stderr: err }));
  return { ctx, done };
}
