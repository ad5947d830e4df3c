import os from 'node:os';
import { kfeedPaths } from '../../src/config/paths.js';
import { readClusterState } from '../../src/local/cluster.js';
import { requireTool, tempDir } from './env.js';
import { writeJavaClientProperties } from './java-client.js';
import { runProcess, type ProcessResult } from './spawn.js';

/** Where Apache Kafka's own tools connect, over mTLS, and which local cluster's jars run them. */
export interface KafkaToolTarget {
  /** The local cluster whose JVM and jars run the tool. */
  cluster: string;
  brokers: string[];
  ca: string;
  cert: string;
  key: string;
}

/**
 * Runs one of Apache Kafka's own command-line tools (`mainClass`, e.g. kafka.admin.ConfigCommand)
 * from the jars the local cluster runs: an oracle that shares no code with kfeed. `args` get the
 * bootstrap servers; `configFlag` names the tool's option for a client.properties file.
 */
export function runKafkaTool(
  target: KafkaToolTarget,
  mainClass: string,
  args: string[],
  options: { configFlag?: string; properties?: string; cwd?: string; timeoutMs?: number } = {},
): Promise<ProcessResult> {
  requireTool('java', 'apt-get install openjdk-17-jdk-headless');
  const state = readClusterState(kfeedPaths(process.env).dataDir, target.cluster);
  if (!state) throw new Error(`no state for local cluster ${target.cluster}`);
  const properties = options.properties ?? writeJavaClientProperties(tempDir('kfeed-java-client-'), target);
  const full = [
    '-Xmx256m',
    // Java ignores TMPDIR: what the tool writes to its temp folder goes to the tier's, checked empty.
    `-Djava.io.tmpdir=${os.tmpdir()}`,
    '-cp',
    state.classpath,
    mainClass,
    '--bootstrap-server',
    target.brokers.join(','),
    ...args,
    options.configFlag ?? '--command-config',
    properties,
  ];
  return runProcess(state.java, full, { cwd: options.cwd, timeoutMs: options.timeoutMs ?? 120_000 });
}

/**
 * Kafka's own `kafka-configs --describe --all` of every broker and of the cluster-wide
 * defaults: every config with its value, source and synonyms, as Kafka itself reports them.
 */
export async function describeBrokerConfigs(target: KafkaToolTarget): Promise<string> {
  const describe = async (entity: string[]) => {
    const run = await runKafkaTool(target, 'kafka.admin.ConfigCommand', [
      '--entity-type',
      'brokers',
      ...entity,
      '--describe',
      '--all',
    ]);
    // The tool exits 0 on some failures, printing "Error ..." instead.
    if (run.code !== 0 || /^Error/m.test(run.stdout + run.stderr))
      throw new Error(`kafka-configs failed (${run.code}): ${(run.stderr || run.stdout).slice(-2000)}`);
    return run.stdout;
  };
  return (await Promise.all([describe([]), describe(['--entity-default'])])).join('\n');
}
