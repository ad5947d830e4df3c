import { spawn } from 'node:child_process';
import os from 'node:os';

export interface ProcessResult {
  /** The exit code; 128 + the signal's number when a signal ended it (137 for SIGKILL). */
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a program to its end with captured output; SIGKILL after `timeoutMs` (default 60 s).
 * `until`: a program that would run for ever (a consumer) gets SIGTERM once its stdout satisfies it.
 */
export function runProcess(
  command: string,
  args: string[],
  options: {
    env?: NodeJS.ProcessEnv;
    cwd?: string;
    stdin?: string;
    timeoutMs?: number;
    until?: (stdout: string) => boolean;
  } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
      if (options.until?.(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 + os.constants.signals[signal] : 1), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
