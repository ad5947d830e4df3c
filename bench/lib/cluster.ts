// The local mTLS cluster the comparison scripts run against, started with kfeed itself, and the
// payload files kcat and `kfeed produce` read.
import fs from 'node:fs';
import path from 'node:path';
import { quoteMessages } from '../../src/bench/payload.js';
import { kfeedPaths } from '../../src/config/paths.js';
import { readClusterState } from '../../src/local/cluster.js';
import { writeJavaClientProperties } from '../../test/helpers/java-client.js';
import { log, run, type RunOptions, type RunResult } from './process.js';

// Built into dist/bench-tools/: the repository is two folders up.
export const ROOT = path.resolve(import.meta.dirname, '../..');
export const KFEED = path.join(ROOT, 'bin', 'kfeed.js');
export const NODE = process.execPath;

export const kfeed = (argv: string[], options?: RunOptions): Promise<RunResult> => run(NODE, [KFEED, ...argv], options);

export interface Cluster {
  name: string;
  brokers: string;
  kafkaVersion: string;
  java: string;
  classpath: string;
  javaConfig: string;
  files: { ca: string; cert: string; key: string };
  kfeedConnection: string[];
  kcatConnection: string[];
}

interface UpStatus {
  bootstrap: { tls: string[] };
  files: { ca: string; clientCert: string; clientKey: string };
}

/** Starts (or reuses) local cluster `name` with kfeed; `work` holds the Java client properties. */
export async function startCluster(name: string, work: string): Promise<Cluster> {
  log(`starting local cluster ${name}`);
  const up = await kfeed(['local', 'up', '--name', name, '--no-profile', '--json'], { timeoutMs: 300_000 });
  const status = JSON.parse(up.stdout) as UpStatus;
  // Where kfeed keeps the cluster (XDG folders, $HOME), read by kfeed's own module.
  const state = readClusterState(kfeedPaths(process.env).dataDir, name);
  if (!state) throw new Error(`no state for cluster ${name}`);
  const brokers = status.bootstrap.tls.join(',');
  const files = { ca: status.files.ca, cert: status.files.clientCert, key: status.files.clientKey };
  return {
    name,
    brokers,
    kafkaVersion: state.kafkaVersion,
    java: state.java,
    classpath: state.classpath,
    javaConfig: writeJavaClientProperties(work, files),
    files,
    kfeedConnection: ['--brokers', brokers, '--ca', files.ca, '--cert', files.cert, '--key', files.key],
    kcatConnection: [
      '-b',
      brokers,
      '-X',
      'security.protocol=ssl',
      '-X',
      `ssl.ca.location=${files.ca}`,
      '-X',
      `ssl.certificate.location=${files.cert}`,
      '-X',
      `ssl.key.location=${files.key}`,
    ],
  };
}

let topicSerial = 0;
export async function createTopic(cluster: Cluster, label: string, partitions = 1): Promise<string> {
  const name = `compare-${label}-${Date.now().toString(36)}-${topicSerial++}`;
  await kfeed(['create-topic', name, '--partitions', String(partitions), ...cluster.kfeedConnection]);
  return name;
}

export async function deleteTopic(cluster: Cluster, name: string): Promise<void> {
  await kfeed(['delete-topic', name, '--yes', ...cluster.kfeedConnection], { allowFailure: true });
}

/** The same quote-shaped JSON messages kfeed bench sends, one a line, unkeyed. */
export interface PayloadFiles {
  pool: string;
  lines: string;
}

export function writePayloads(work: string, count: number, size: number): PayloadFiles {
  const messages = quoteMessages(size, 1024).map((m) => m.value.toString());
  const pool = path.join(work, 'payloads.txt');
  fs.writeFileSync(pool, messages.join('\n') + '\n');
  // kcat and `kfeed produce` read every message from a file: `count` lines cycling the pool.
  const lines = path.join(work, 'lines.txt');
  const fd = fs.openSync(lines, 'w');
  const block = messages.join('\n') + '\n';
  const blocks = Math.floor(count / messages.length);
  for (let i = 0; i < blocks; i++) fs.writeSync(fd, block);
  const rest = count - blocks * messages.length;
  if (rest) fs.writeSync(fd, messages.slice(0, rest).join('\n') + '\n');
  fs.closeSync(fd);
  return { pool, lines };
}
