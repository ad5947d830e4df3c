import { spawn } from 'node:child_process';
import os from 'node:os';
import { onTestFinished } from 'vitest';
import { requireTool } from './env.js';
import type { ProcessResult } from './spawn.js';

/**
 * A kcat that keeps running while the test acts (a live consumer), run from a bundle folder with
 * its kcat.conf. Each record it prints (one line: `-u -f '%s\n'`, unbuffered) is counted with
 * the time it arrived, by the test's own clock. Killed when the test ends, pass or fail.
 */
export interface LiveKcat {
  /** When each record printed so far arrived (ms, Date.now()). */
  arrivals: number[];
  stderr(): string;
  /** Resolves when kcat ends (by itself or killed). */
  exited: Promise<ProcessResult>;
  stop(): Promise<ProcessResult>;
}

export function startKcat(cwd: string, args: string[]): LiveKcat {
  const binary = requireTool('kcat', 'apt-get install kcat');
  const child = spawn(binary, ['-F', 'kcat.conf', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const arrivals: number[] = [];
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const now = Date.now();
    for (let i = chunk.indexOf('\n'); i !== -1; i = chunk.indexOf('\n', i + 1)) arrivals.push(now);
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<ProcessResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) =>
      resolve({ code: code ?? (signal ? 128 + os.constants.signals[signal] : 1), stdout: '', stderr }),
    );
  });
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    return exited;
  };
  onTestFinished(async () => void (await stop()));
  return { arrivals, stderr: () => stderr, exited, stop };
}
