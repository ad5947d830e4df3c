import { spawn } from 'node:child_process';
import { interruptedError } from '../wait.js';

/**
 * Runs a command to its end and returns its exit code with stdout and stderr together.
 * When `signal` aborts, the command and everything it started (its own process group) are
 * killed, and the call rejects with the `interrupted` error once they are gone.
 */
export function runCaptured(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  signal?: AbortSignal,
): Promise<{ code: number; text: string }> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(interruptedError(signal));
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    const onAbort = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL'); // the group is gone already; make sure of the child itself
      }
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (result: { code: number; text: string }) => {
      signal?.removeEventListener('abort', onAbort);
      if (signal?.aborted) reject(interruptedError(signal));
      else resolve(result);
    };
    child.on('error', (error) => settle({ code: 127, text: String(error) }));
    child.on('close', (code) => settle({ code: code ?? 1, text }));
  });
}
