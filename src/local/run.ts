import { spawn } from 'node:child_process';

/** Runs a command to its end and returns its exit code with stdout and stderr together. */
export function runCaptured(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; text: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let text = '';
    child.stdout.on('data', (d) => (text += d));
    child.stderr.on('data', (d) => (text += d));
    child.on('error', (error) => resolve({ code: 127, text: String(error) }));
    child.on('close', (code) => resolve({ code: code ?? 1, text }));
  });
}
