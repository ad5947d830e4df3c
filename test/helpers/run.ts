import { spawn } from 'node:child_process';
import path from 'node:path';
import { startInProcess, type RunResult } from './capture.js';
import { testEnv } from './env.js';

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
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: testEnv(options.env),
      cwd: options.cwd,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
