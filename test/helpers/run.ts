import path from 'node:path';
import { startInProcess, type RunResult } from './capture.js';
import { testEnv } from './env.js';
import { runProcess } from './spawn.js';

export type { RunResult } from './capture.js';

export interface RunOptions {
  env?: Record<string, string | undefined>;
  cwd?: string;
  stdin?: string;
  /** Aborts the command (as SIGINT would) after this many ms. */
  abortAfterMs?: number;
}

/** Runs kfeed in-process, as the binary would, with captured streams. */
export async function kfeed(args: string[], options: RunOptions = {}): Promise<RunResult> {
  const run = startInProcess(args, {
    env: testEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
    stdin: options.stdin,
  });
  const timer = options.abortAfterMs
    ? setTimeout(() => run.ctx.abort.abort('SIGINT'), options.abortAfterMs)
    : undefined;
  const result = await run.done;
  if (timer) clearTimeout(timer);
  return result;
}

export const BIN = path.resolve(import.meta.dirname, '../../bin/kfeed.js');

/** Runs the built binary (`npm test` builds first) as a separate process. */
export function kfeedBinary(args: string[], options: RunOptions & { timeoutMs?: number } = {}): Promise<RunResult> {
  return runProcess(process.execPath, [BIN, ...args], { ...options, env: testEnv(options.env) });
}
