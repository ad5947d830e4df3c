import { spawn } from 'node:child_process';
import os from 'node:os';

export interface ProcessResult {
  /** The exit code; 128 + the signal's number when a signal ended it (137 for SIGKILL). */
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a program to its end with captured output; SIGKILL after `timeoutMs` (default 60 s). */
export function runProcess(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdin?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
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
