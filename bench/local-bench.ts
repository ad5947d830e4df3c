// What the scale benchmarks (bench/groups.ts, bench/subscribers.ts) share: kfeed run as a user
// runs it (the built binary, a fresh process, wall clock), a cluster of their own, the median.
import { spawn, spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { resolveConnection, type ConnectionSettings } from '../src/config/connection.js';
import { kfeedPaths } from '../src/config/paths.js';
import { ProfileStore } from '../src/config/profiles.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
const KFEED = path.join(ROOT, 'bin', 'kfeed.js');

export interface TimedRun {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
}

export function kfeedTimed(argv: string[]): Promise<TimedRun> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KFEED, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr, ms: performance.now() - started }));
  });
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export const formatRuns = (xs: number[]) =>
  `median ${Math.round(median(xs))} ms (runs: ${xs.map((x) => Math.round(x)).join(', ')})`;

export const loadAverage = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();

export const machineLine = (loadAtStart: string) =>
  `Machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB; ` +
  `load at start: \`${loadAtStart}\`; when done: \`${loadAverage()}\``;

export interface BenchCluster {
  bootstrap: string[];
  files: { ca: string; clientCert: string; clientKey: string };
  /** The admin's connection flags, for kfeed commands. */
  flags: string[];
  /** The same connection for kfeed's own modules. */
  settings: ConnectionSettings;
}

/** Starts `kfeed local up --name NAME --no-profile ...extra` and resolves the admin connection. */
export async function startBenchCluster(name: string, extra: string[] = []): Promise<BenchCluster> {
  const up = await kfeedTimed(['local', 'up', '--name', name, '--no-profile', '--json', ...extra]);
  if (up.code !== 0) throw new Error(`local up failed: ${up.stderr}`);
  const status = JSON.parse(up.stdout) as { bootstrap: { tls: string[] }; files: BenchCluster['files'] };
  const connection = {
    brokers: status.bootstrap.tls.join(','),
    ca: status.files.ca,
    cert: status.files.clientCert,
    key: status.files.clientKey,
  };
  const settings = await resolveConnection({
    flags: connection,
    env: process.env,
    cwd: ROOT,
    profiles: new ProfileStore(kfeedPaths(process.env).configDir),
    secrets: { password: async () => undefined },
  });
  const flags = [
    '--brokers',
    connection.brokers,
    '--ca',
    connection.ca,
    '--cert',
    connection.cert,
    '--key',
    connection.key,
  ];
  return { bootstrap: status.bootstrap.tls, files: status.files, flags, settings };
}

export async function stopBenchCluster(name: string): Promise<void> {
  await kfeedTimed(['local', 'down', '--name', name]);
}
