// Whole-process runs for the comparison scripts: wall time on this clock, and the process's own
// CPU time and peak resident set as GNU time reports them (the same measure for every tool).
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface RunOptions {
  stdinFile?: string;
  discardStdout?: boolean;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  allowFailure?: boolean;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  /** User + system CPU seconds of the process and its children (GNU time). */
  cpuSeconds?: number;
  rssMb?: number;
  /** What the tool reports about itself (msg/s), when it does. */
  reported?: number;
  reportedRssMb?: number;
}

export const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
let scratch: string | undefined;
const scratchDir = () => (scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-bench-run-')));

export function cleanupScratch(): void {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
}

/** Reads GNU time's `%U %S %M` line: user and system seconds, peak RSS in KB. */
function readTimeFile(file: string): { cpuSeconds?: number; rssMb?: number } {
  if (!fs.existsSync(file)) return {};
  const last = fs.readFileSync(file, 'utf8').trim().split('\n').pop() ?? '';
  fs.rmSync(file, { force: true });
  const [user, system, kb] = last.split(' ').map(Number);
  return {
    cpuSeconds: Number.isFinite(user + system) ? Math.round((user + system) * 100) / 100 : undefined,
    rssMb: Number.isFinite(kb) ? Math.round(kb / 102.4) / 10 : undefined,
  };
}

/** Runs a command to completion under GNU time (when present), timing it on the wall clock. */
export function run(command: string, argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const timeFile = TIME ? path.join(scratchDir(), `time-${process.pid}-${Math.random().toString(36).slice(2)}`) : '';
  const full: [string, string[]] = TIME
    ? [TIME, ['-f', '%U %S %M', '-o', timeFile, command, ...argv]]
    : [command, argv];
  return new Promise((resolve, reject) => {
    const began = process.hrtime.bigint();
    const child = spawn(full[0], full[1], {
      stdio: [
        options.stdinFile ? fs.openSync(options.stdinFile, 'r') : 'ignore',
        options.discardStdout ? 'ignore' : 'pipe',
        'pipe',
      ],
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-20_000)));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - began) / 1e9;
      const usage = TIME ? readTimeFile(timeFile) : {};
      if (code !== 0 && !options.allowFailure) {
        const tail = stderr.trim().split('\n').slice(-3).join(' | ');
        reject(new Error(`${path.basename(command)} ${argv.slice(0, 3).join(' ')} ... exited ${code}: ${tail}`));
      } else resolve({ code, stdout, stderr, seconds, ...usage });
    });
  });
}

export function capture(command: string, argv: string[]): string | undefined {
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  return result.error ? undefined : `${result.stdout}${result.stderr}`.trim();
}

export function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

export const median = (xs: Array<number | undefined>): number | undefined => {
  const sorted = xs.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export const loadAverage = () => os.loadavg().map((n) => Math.round(n * 100) / 100);

export const log = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);
