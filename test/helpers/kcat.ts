import { spawn } from 'node:child_process';
import { requireTool } from './env.js';

export interface KcatTls {
  ca: string;
  cert: string;
  key: string;
}

export interface KcatResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs kcat (an independent Kafka client, librdkafka) over mTLS with the given files. */
export function kcat(
  brokers: string[],
  tls: KcatTls,
  args: string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<KcatResult> {
  const binary = requireTool('kcat', 'apt-get install kcat');
  const full = [
    '-b',
    brokers.join(','),
    '-X',
    'security.protocol=ssl',
    '-X',
    `ssl.ca.location=${tls.ca}`,
    '-X',
    `ssl.certificate.location=${tls.cert}`,
    '-X',
    `ssl.key.location=${tls.key}`,
    ...args,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(binary, full, { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 30_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 137 : 1), stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}
