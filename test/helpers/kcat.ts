import { requireTool } from './env.js';
import { runProcess, type ProcessResult } from './spawn.js';

export interface KcatTls {
  ca: string;
  cert: string;
  key: string;
}

/** Runs kcat (an independent Kafka client, librdkafka) over mTLS with the given files. */
export function kcat(
  brokers: string[],
  tls: KcatTls,
  args: string[],
  options: { stdin?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
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
  return runProcess(binary, full, { stdin: options.stdin, timeoutMs: options.timeoutMs ?? 30_000 });
}
