// The workloads bench/compare.ts runs, each tool as a whole process: produce (a fresh topic per
// run), consume (one topic filled once by kcat), end-to-end latency, and cold starts.
import { spawnSync } from 'node:child_process';
import { createTopic, deleteTopic, kfeed, KFEED, NODE, type Cluster, type PayloadFiles } from '../lib/cluster.js';
import { loadAverage, log, median, run, type RunResult } from '../lib/process.js';

export interface Workload {
  count: number;
  size: number;
  partitions: number;
  rounds: number;
  kcat: string;
}

export type Runner = (topic: string) => Promise<RunResult>;

/** Each tool's producer defaults, except acks=all and idempotence on everywhere. */
export function produceRunners(cluster: Cluster, files: PayloadFiles, w: Workload): Record<string, Runner> {
  return {
    'kfeed bench': async (topic) => {
      const r = await kfeed([
        ...['bench', 'produce', '--topic', topic, '-n', String(w.count), '--size', String(w.size)],
        ...['--null-keys', '--json', ...cluster.kfeedConnection],
      ]);
      const result = JSON.parse(r.stdout) as { messagesPerSecond: number; peakRssMb?: number };
      return { ...r, reported: result.messagesPerSecond, reportedRssMb: result.peakRssMb };
    },
    'kfeed produce (stdin)': (topic) =>
      kfeed(['produce', '-t', topic, ...cluster.kfeedConnection], { stdinFile: files.lines, discardStdout: true }),
    kcat: (topic) =>
      run(w.kcat, [
        ...['-P', ...cluster.kcatConnection, '-X', 'acks=all', '-X', 'enable.idempotence=true'],
        ...['-t', topic, '-l', files.lines],
      ]),
    'Java ProducerPerformance': async (topic) => {
      const r = await run(cluster.java, [
        ...['-cp', cluster.classpath, 'org.apache.kafka.tools.ProducerPerformance', '--topic', topic],
        ...['--num-records', String(w.count), '--throughput', '-1', '--payload-file', files.pool],
        ...['--producer.config', cluster.javaConfig, '--producer-props', `bootstrap.servers=${cluster.brokers}`],
        ...['acks=all', 'enable.idempotence=true'],
      ]);
      // Last line: "N records sent, X records/sec (Y MB/sec), ..."
      const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(r.stdout.trim().split('\n').pop() ?? '');
      return { ...r, reported: m ? Math.round(Number(m[2])) : undefined };
    },
  };
}

export function consumeRunners(cluster: Cluster, w: Workload): Record<string, Runner> {
  let serial = 0;
  return {
    'kfeed bench': async (topic) => {
      const r = await kfeed([
        'bench',
        'consume',
        '--topic',
        topic,
        '-n',
        String(w.count),
        '--json',
        ...cluster.kfeedConnection,
      ]);
      const result = JSON.parse(r.stdout) as { messages: number; messagesPerSecond: number };
      if (result.messages !== w.count) throw new Error(`kfeed bench consume read ${result.messages} of ${w.count}`);
      return { ...r, reported: result.messagesPerSecond };
    },
    'kfeed consume (raw > /dev/null)': (topic) =>
      kfeed(
        [
          ...['consume', topic, '--from-beginning', '--exit-at-end', '--format', 'raw'],
          ...['--group', `compare-${Date.now().toString(36)}-${serial++}`, ...cluster.kfeedConnection],
        ],
        { discardStdout: true },
      ),
    kcat: (topic) =>
      run(w.kcat, ['-C', ...cluster.kcatConnection, '-t', topic, '-o', 'beginning', '-e', '-q'], {
        discardStdout: true,
      }),
    'Java ConsumerPerformance': async (topic) => {
      const r = await run(cluster.java, [
        ...['-cp', cluster.classpath, 'org.apache.kafka.tools.ConsumerPerformance', '--bootstrap-server'],
        ...[cluster.brokers, '--topic', topic, '--messages', String(w.count)],
        ...['--consumer.config', cluster.javaConfig, '--timeout', '60000'],
      ]);
      // The CSV line: start, end, MB, MB.sec, nMsg, nMsg.sec, rebalance ms, fetch ms, fetch MB.sec, fetch nMsg.sec
      const row = r.stdout
        .trim()
        .split('\n')
        .pop()
        ?.split(',')
        .map((s) => s.trim());
      if (Number(row?.[4]) < w.count) throw new Error(`ConsumerPerformance read ${row?.[4]} of ${w.count}`);
      return { ...r, reported: row ? Math.round(Number(row[5])) : undefined };
    },
  };
}

export interface Sample {
  seconds?: number;
  perSecond?: number;
  reported?: number;
  cpuMicrosPerRecord?: number;
  rssMb?: number;
  reportedRssMb?: number;
  load?: number;
  error?: string;
}

export interface ThroughputRow {
  median?: number;
  reportedMedian?: number;
  cpuMicrosPerRecord?: number;
  peakRssMb?: number;
  runs: Sample[];
}

/**
 * Round r runs every tool once, starting one further along the list each round, so that no
 * tool always goes first (cold page cache, JIT) or last (a hot broker).
 */
export async function interleave(
  name: string,
  w: Workload,
  runners: Record<string, Runner>,
  prepare: () => Promise<string>,
  cleanup: (topic: string) => Promise<void>,
): Promise<Record<string, ThroughputRow>> {
  const tools = Object.keys(runners);
  const samples: Record<string, Sample[]> = Object.fromEntries(tools.map((t) => [t, []]));
  for (let round = 0; round < w.rounds; round++) {
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[(i + round) % tools.length];
      const topic = await prepare();
      const load = loadAverage()[0];
      log(`${name} round ${round + 1}/${w.rounds}: ${tool} (load ${load})`);
      try {
        const r = await runners[tool](topic);
        const sample: Sample = {
          seconds: r.seconds,
          perSecond: Math.round(w.count / r.seconds),
          reported: r.reported,
          cpuMicrosPerRecord: r.cpuSeconds !== undefined ? Math.round((r.cpuSeconds / w.count) * 1e7) / 10 : undefined,
          rssMb: r.rssMb,
          reportedRssMb: r.reportedRssMb,
          load,
        };
        samples[tool].push(sample);
        log(
          `  ${r.seconds.toFixed(2)} s wall, ${sample.perSecond} msg/s, ${sample.cpuMicrosPerRecord} µs CPU/record${r.rssMb ? `, peak RSS ${r.rssMb} MB` : ''}`,
        );
      } catch (error) {
        samples[tool].push({ error: (error as Error).message, load });
        log(`  failed: ${(error as Error).message}`);
      } finally {
        await cleanup(topic);
      }
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([tool, runs]) => [
      tool,
      {
        median: median(runs.map((r) => r.perSecond)),
        reportedMedian: median(runs.map((r) => r.reported)),
        cpuMicrosPerRecord: median(runs.map((r) => r.cpuMicrosPerRecord)),
        peakRssMb: runs.some((r) => r.rssMb) ? Math.max(...runs.map((r) => r.rssMb ?? 0)) : undefined,
        runs,
      },
    ]),
  );
}

export function produceComparison(cluster: Cluster, files: PayloadFiles, w: Workload) {
  const prepare = () => createTopic(cluster, 'p', w.partitions);
  return interleave('produce', w, produceRunners(cluster, files, w), prepare, (t) => deleteTopic(cluster, t));
}

export async function consumeComparison(cluster: Cluster, files: PayloadFiles, w: Workload) {
  const topic = await createTopic(cluster, 'c', w.partitions);
  log(`filling ${topic} with ${w.count} messages`);
  await run(w.kcat, ['-P', ...cluster.kcatConnection, '-t', topic, '-l', files.lines]);
  try {
    return await interleave(
      'consume',
      w,
      consumeRunners(cluster, w),
      async () => topic,
      async () => {},
    );
  } finally {
    await deleteTopic(cluster, topic);
  }
}

/** Peak RSS of one `kfeed bench produce` of `count` records (the memory target is for 1,000,000). */
export async function produceRss(cluster: Cluster, count: number, w: Workload) {
  const topic = await createTopic(cluster, 'rss', w.partitions);
  log(`peak RSS: kfeed bench produce of ${count} records`);
  try {
    const r = await kfeed([
      ...['bench', 'produce', '--topic', topic, '-n', String(count), '--size', String(w.size)],
      ...['--null-keys', '--json', ...cluster.kfeedConnection],
    ]);
    log(`  ${r.rssMb} MB`);
    return { count, rssMb: r.rssMb, seconds: r.seconds };
  } finally {
    await deleteTopic(cluster, topic);
  }
}

type LatencyKey = 'p50' | 'p95' | 'p99' | 'p999' | 'max' | 'sentPerSecond';
export type LatencySample = Partial<Record<LatencyKey | 'received', number>>;
export type LatencyRow = Partial<Record<LatencyKey, number>> & { runs: LatencySample[] };

export const E2E_DEFAULTS = 'kfeed bench e2e (defaults, linger 5 ms)';
export const E2E_FAST = 'kfeed bench e2e --linger-ms 0';
export const E2E_JAVA = 'Java EndToEndLatency (one at a time)';

/** kfeed bench e2e at `rate`, and Kafka's own EndToEndLatency tool in the same rounds. */
export async function e2eComparison(
  cluster: Cluster,
  w: Workload,
  e2e: { rate: number; seconds: number; javaMessages: number },
): Promise<Record<string, LatencyRow>> {
  const variants: Record<string, string[]> = { [E2E_DEFAULTS]: [], [E2E_FAST]: ['--linger-ms', '0'] };
  const samples: Record<string, LatencySample[]> = Object.fromEntries(
    [...Object.keys(variants), E2E_JAVA].map((v) => [v, []]),
  );
  // Kafka 4 moved the tools out of the kafka.tools package.
  const javaClass = /^3\./.test(cluster.kafkaVersion)
    ? 'kafka.tools.EndToEndLatency'
    : 'org.apache.kafka.tools.EndToEndLatency';
  for (let round = 0; round < w.rounds; round++) {
    for (const [variant, extra] of Object.entries(variants)) {
      log(`e2e round ${round + 1}/${w.rounds}: ${variant} (load ${loadAverage()[0]})`);
      const r = await kfeed([
        ...['bench', 'e2e', '--rate', String(e2e.rate), '--duration', String(e2e.seconds), '--json'],
        ...extra,
        ...cluster.kfeedConnection,
      ]);
      const result = JSON.parse(r.stdout) as {
        latencyMs: Record<'p50' | 'p95' | 'p99' | 'p999' | 'max', number>;
        sentPerSecond: number;
        received: number;
      };
      samples[variant].push({ ...result.latencyMs, sentPerSecond: result.sentPerSecond, received: result.received });
      log(`  p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`);
    }
    const topic = await createTopic(cluster, 'e');
    log(`e2e round ${round + 1}/${w.rounds}: ${E2E_JAVA}`);
    try {
      const r = await run(cluster.java, [
        ...['-cp', cluster.classpath, javaClass, cluster.brokers, topic, String(e2e.javaMessages)],
        ...['all', String(w.size), cluster.javaConfig],
      ]);
      const m = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(r.stdout);
      if (!m) throw new Error(`no percentiles in its output: ${r.stdout.trim().split('\n').pop()}`);
      samples[E2E_JAVA].push({ p50: Number(m[1]), p99: Number(m[2]), p999: Number(m[3]) });
      log(`  p50 ${m[1]} ms, p99 ${m[2]} ms`);
    } catch (error) {
      log(`  failed: ${(error as Error).message}`);
    } finally {
      await deleteTopic(cluster, topic);
    }
  }
  const keys: LatencyKey[] = ['p50', 'p95', 'p99', 'p999', 'max', 'sentPerSecond'];
  return Object.fromEntries(
    Object.entries(samples).map(([variant, runs]) => [
      variant,
      { ...Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])), runs },
    ]),
  );
}

export interface ColdRow {
  medianMs: number;
  minMs: number;
  runs: number;
}

/** Wall time of starting a process that does nearly nothing, interleaved, in ms. */
export function coldStart(runs: number): Record<string, ColdRow> {
  const commands: Record<string, [string, string[]]> = {
    'node -e 0': [NODE, ['-e', '0']],
    'kfeed --version': [NODE, [KFEED, '--version']],
    'kfeed --help': [NODE, [KFEED, '--help']],
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((c) => [c, []]));
  for (let i = 0; i < runs; i++) {
    for (const [label, [command, argv]] of Object.entries(commands)) {
      const began = process.hrtime.bigint();
      const result = spawnSync(command, argv, { stdio: 'ignore' });
      if (result.status !== 0) throw new Error(`${label} exited ${result.status}`);
      samples[label].push(Number(process.hrtime.bigint() - began) / 1e6);
    }
  }
  return Object.fromEntries(
    Object.entries(samples).map(([label, ms]) => [
      label,
      { medianMs: Math.round(median(ms)! * 10) / 10, minMs: Math.round(Math.min(...ms) * 10) / 10, runs: ms.length },
    ]),
  );
}
