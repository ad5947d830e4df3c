import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { BIN } from './run.js';
import { testEnv } from './env.js';

/** Live processes (not ones that exited and await reaping) with this text in their command line. */
export function processesWith(text: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

export interface InterruptedRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Whether the stage line was seen (and the signal sent). */
  signalled: boolean;
  /** From the signal to the process's exit. */
  msAfterSignal: number;
}

/**
 * Runs the built binary and sends `signal` the moment its stderr matches `stage` (a progress
 * line), as a user's Ctrl-C or a supervisor's SIGTERM would; resolves when it exits.
 */
export function interruptAtStage(
  args: string[],
  stage: RegExp,
  signal: NodeJS.Signals,
  options: { env?: Record<string, string | undefined>; timeoutMs?: number } = {},
): Promise<InterruptedRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: testEnv(options.env),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    let signalledAt = 0;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      if (!signalledAt && stage.test(stderr)) {
        signalledAt = Date.now();
        child.kill(signal);
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 240_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout,
        stderr,
        signalled: signalledAt > 0,
        msAfterSignal: signalledAt ? Date.now() - signalledAt : -1,
      });
    });
  });
}
