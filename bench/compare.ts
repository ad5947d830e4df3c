// Runs identical workloads through kfeed, kcat and Apache Kafka's Java performance tools on a
// local mTLS broker (`kfeed local up --name bench`), interleaved over several rounds, and
// writes medians and kfeed/other ratios as JSON and markdown under bench/results/.
//
//   npm run bench:compare -- [--rounds 3] [--count 1000000] [--size 200]
//
// TypeScript under the project's typecheck (bench/tsconfig.json), bundled by `npm run bench:build`
// into dist/bench-tools/. It uses kfeed's own modules: the payloads of `kfeed bench`, the XDG paths
// and the local cluster's state reader.
//
// Run it on a quiet machine: every number is wall-clock time on shared cores.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { quoteMessages } from '../src/bench/payload.js';
import { kfeedPaths } from '../src/config/paths.js';
import { readClusterState } from '../src/local/cluster.js';
import { writeJavaClientProperties } from '../test/helpers/java-client.js';

// Built into dist/bench-tools/: the repository is two folders up.
const ROOT = path.resolve(import.meta.dirname, '../..');
const KFEED = path.join(ROOT, 'bin', 'kfeed.js');
const NODE = process.execPath;

const { values: args } = parseArgs({
  options: {
    name: { type: 'string', default: 'bench' },
    rounds: { type: 'string', default: '3' },
    count: { type: 'string', default: '1000000' },
    size: { type: 'string', default: '200' },
    'e2e-rate': { type: 'string', default: '5000' },
    'e2e-seconds': { type: 'string', default: '10' },
    'cold-runs': { type: 'string', default: '20' },
    'e2e-java-messages': { type: 'string', default: '3000' },
    only: { type: 'string' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
    'keep-cluster': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (args.help) {
  console.log(`usage: npm run bench:compare -- [options]
  --name <cluster>     local cluster to start (default bench)
  --rounds <n>         interleaved rounds per workload (default 3)
  --count <n>          messages per produce / consume run (default 1000000; the RSS figure needs 1000000)
  --size <bytes>       bytes per message (default 200)
  --e2e-rate <n>       end-to-end run: messages per second (default 5000)
  --e2e-seconds <n>    end-to-end run: measured seconds (default 10)
  --e2e-java-messages <n>  reference run of Java's EndToEndLatency, one message at a time (default 3000)
  --cold-runs <n>      runs per cold-start command (default 20)
  --only <list>        some of: produce,consume,e2e,cold (default all)
  --out <dir>          where compare.json / compare.md go (default bench/results)
  --keep-cluster       leave the cluster running afterwards`);
  process.exit(0);
}
const ROUNDS = positive('rounds');
const COUNT = positive('count');
const SIZE = positive('size');
const E2E_RATE = positive('e2e-rate');
const E2E_SECONDS = positive('e2e-seconds');
const COLD_RUNS = positive('cold-runs');
const E2E_JAVA_MESSAGES = positive('e2e-java-messages');
const ONLY = new Set((args.only ?? 'produce,consume,e2e,cold').split(',').map((s) => s.trim()));

type NumberFlag = 'rounds' | 'count' | 'size' | 'e2e-rate' | 'e2e-seconds' | 'cold-runs' | 'e2e-java-messages';

function positive(name: NumberFlag): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number above 0`);
  return n;
}

function fail(message: string): never {
  console.error(`compare: ${message}`);
  process.exit(2);
}

const log = (text: string) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${text}`);

// ---------------------------------------------------------------- processes

/**
 * Runs a command to completion, timing it on the wall clock. Under /usr/bin/time (when
 * present) the peak resident set of the process is read too.
 */
interface RunOptions {
  stdinFile?: string;
  discardStdout?: boolean;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  allowFailure?: boolean;
}

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  seconds: number;
  rssMb?: number;
  /** What the tool reports about itself (msg/s), when it does. */
  reported?: number;
  reportedRssMb?: number;
}

function run(command: string, argv: string[], options: RunOptions = {}): Promise<RunResult> {
  const rssFile = TIME ? path.join(WORK, `rss-${process.pid}-${Math.random().toString(36).slice(2)}`) : undefined;
  const full: [string, string[]] =
    TIME && rssFile ? [TIME, ['-f', '%M', '-o', rssFile, command, ...argv]] : [command, argv];
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
      let rssMb: number | undefined;
      if (rssFile && fs.existsSync(rssFile)) {
        const kb = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop());
        if (Number.isFinite(kb)) rssMb = Math.round(kb / 102.4) / 10;
        fs.rmSync(rssFile, { force: true });
      }
      if (code !== 0 && !options.allowFailure) {
        reject(
          new Error(
            `${path.basename(command)} ${argv.slice(0, 3).join(' ')} ... exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`,
          ),
        );
      } else resolve({ code, stdout, stderr, seconds, rssMb });
    });
  });
}

function capture(command: string, argv: string[]): string | undefined {
  const result = spawnSync(command, argv, { encoding: 'utf8' });
  return result.error ? undefined : `${result.stdout}${result.stderr}`.trim();
}

function which(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  return found.status === 0 ? found.stdout.trim() : undefined;
}

// ---------------------------------------------------------------- setup

const TIME = fs.existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-compare-'));
if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) fail('build kfeed first: npm run build');
const KCAT = which('kcat') ?? fail('kcat is not installed (apt-get install kcat)');

const kfeed = (argv: string[], options?: RunOptions) => run(NODE, [KFEED, ...argv], options);

interface Cluster {
  brokers: string;
  kafkaVersion: string;
  java: string;
  classpath: string;
  javaConfig: string;
  kfeedConnection: string[];
  kcatConnection: string[];
}

interface UpStatus {
  bootstrap: { tls: string[] };
  files: { ca: string; clientCert: string; clientKey: string };
}

async function startCluster(): Promise<Cluster> {
  log(`starting local cluster ${args.name}`);
  const up = await kfeed(['local', 'up', '--name', args.name, '--no-profile', '--json'], { timeoutMs: 300_000 });
  const status = JSON.parse(up.stdout) as UpStatus;
  // Where kfeed keeps the cluster (XDG folders, $HOME), read by kfeed's own module.
  const state =
    readClusterState(kfeedPaths(process.env).dataDir, args.name) ?? fail(`no state for cluster ${args.name}`);
  const brokers = status.bootstrap.tls.join(',');
  const files = status.files;
  const javaConfig = writeJavaClientProperties(WORK, { ca: files.ca, cert: files.clientCert, key: files.clientKey });
  return {
    brokers,
    kafkaVersion: state.kafkaVersion,
    java: state.java,
    classpath: state.classpath,
    javaConfig,
    kfeedConnection: ['--brokers', brokers, '--ca', files.ca, '--cert', files.clientCert, '--key', files.clientKey],
    kcatConnection: [
      '-b',
      brokers,
      '-X',
      'security.protocol=ssl',
      '-X',
      `ssl.ca.location=${files.ca}`,
      '-X',
      `ssl.certificate.location=${files.clientCert}`,
      '-X',
      `ssl.key.location=${files.clientKey}`,
    ],
  };
}

let topicSerial = 0;
async function createTopic(cluster: Cluster, label: string): Promise<string> {
  const name = `compare-${label}-${Date.now().toString(36)}-${topicSerial++}`;
  await kfeed(['create-topic', name, '--partitions', '1', ...cluster.kfeedConnection]);
  return name;
}

async function deleteTopic(cluster: Cluster, name: string): Promise<void> {
  await kfeed(['delete-topic', name, '--yes', ...cluster.kfeedConnection], { allowFailure: true });
}

/** The same quote-shaped JSON messages kfeed bench sends, one a line, unkeyed. */
interface PayloadFiles {
  pool: string;
  lines: string;
}

function writePayloads(): PayloadFiles {
  const messages = quoteMessages(SIZE, 1024).map((m) => m.value.toString());
  const pool = path.join(WORK, 'payloads.txt');
  fs.writeFileSync(pool, messages.join('\n') + '\n');
  // kcat and `kfeed produce` read every message from a file: COUNT lines cycling the pool.
  const lines = path.join(WORK, 'lines.txt');
  const fd = fs.openSync(lines, 'w');
  const block = messages.join('\n') + '\n';
  const blocks = Math.floor(COUNT / messages.length);
  for (let i = 0; i < blocks; i++) fs.writeSync(fd, block);
  const rest = COUNT - blocks * messages.length;
  if (rest) fs.writeSync(fd, messages.slice(0, rest).join('\n') + '\n');
  fs.closeSync(fd);
  return { pool, lines };
}

// ---------------------------------------------------------------- workloads

type Runner = (topic: string) => Promise<RunResult>;

/** Each tool's producer defaults, except acks=all and idempotence on everywhere. */
function produceRunners(cluster: Cluster, files: PayloadFiles): Record<string, Runner> {
  const java = (topic: string) => [
    '-cp',
    cluster.classpath,
    'org.apache.kafka.tools.ProducerPerformance',
    '--topic',
    topic,
    '--num-records',
    String(COUNT),
    '--throughput',
    '-1',
    '--payload-file',
    files.pool,
    '--producer.config',
    cluster.javaConfig,
    '--producer-props',
    `bootstrap.servers=${cluster.brokers}`,
    'acks=all',
    'enable.idempotence=true',
  ];
  return {
    'kfeed bench': async (topic) => {
      const r = await kfeed([
        'bench',
        'produce',
        '--topic',
        topic,
        '-n',
        String(COUNT),
        '--size',
        String(SIZE),
        '--null-keys',
        '--json',
        ...cluster.kfeedConnection,
      ]);
      const result = JSON.parse(r.stdout) as { messagesPerSecond: number; peakRssMb?: number };
      return { ...r, reported: result.messagesPerSecond, reportedRssMb: result.peakRssMb };
    },
    'kfeed produce (stdin)': (topic) =>
      kfeed(['produce', '-t', topic, ...cluster.kfeedConnection], { stdinFile: files.lines, discardStdout: true }),
    kcat: (topic) =>
      run(KCAT, [
        '-P',
        ...cluster.kcatConnection,
        '-X',
        'acks=all',
        '-X',
        'enable.idempotence=true',
        '-t',
        topic,
        '-l',
        files.lines,
      ]),
    'Java ProducerPerformance': async (topic) => {
      const r = await run(cluster.java, java(topic));
      // Last line: "N records sent, X records/sec (Y MB/sec), ..."
      const m = /(\d+) records sent, ([\d.]+) records\/sec/.exec(r.stdout.trim().split('\n').pop() ?? '');
      return { ...r, reported: m ? Math.round(Number(m[2])) : undefined };
    },
  };
}

function consumeRunners(cluster: Cluster): Record<string, Runner> {
  return {
    'kfeed bench': async (topic) => {
      const r = await kfeed([
        'bench',
        'consume',
        '--topic',
        topic,
        '-n',
        String(COUNT),
        '--json',
        ...cluster.kfeedConnection,
      ]);
      const result = JSON.parse(r.stdout) as { messages: number; messagesPerSecond: number };
      if (result.messages !== COUNT) throw new Error(`kfeed bench consume read ${result.messages} of ${COUNT}`);
      return { ...r, reported: result.messagesPerSecond };
    },
    'kfeed consume (raw > /dev/null)': (topic) =>
      kfeed(
        [
          'consume',
          topic,
          '--from-beginning',
          '--exit-at-end',
          '--format',
          'raw',
          '--group',
          `compare-${Date.now().toString(36)}-${topicSerial++}`,
          ...cluster.kfeedConnection,
        ],
        { discardStdout: true },
      ),
    kcat: (topic) =>
      run(KCAT, ['-C', ...cluster.kcatConnection, '-t', topic, '-o', 'beginning', '-e', '-q'], { discardStdout: true }),
    'Java ConsumerPerformance': async (topic) => {
      const r = await run(cluster.java, [
        '-cp',
        cluster.classpath,
        'org.apache.kafka.tools.ConsumerPerformance',
        '--bootstrap-server',
        cluster.brokers,
        '--topic',
        topic,
        '--messages',
        String(COUNT),
        '--consumer.config',
        cluster.javaConfig,
        '--timeout',
        '60000',
      ]);
      // The CSV line: start, end, MB, MB.sec, nMsg, nMsg.sec, rebalance ms, fetch ms, fetch MB.sec, fetch nMsg.sec
      const row = r.stdout
        .trim()
        .split('\n')
        .pop()
        ?.split(',')
        .map((s) => s.trim());
      const messages = Number(row?.[4]);
      if (messages < COUNT) throw new Error(`ConsumerPerformance read ${messages} of ${COUNT}`);
      return { ...r, reported: row ? Math.round(Number(row[5])) : undefined };
    },
  };
}

const median = (xs: Array<number | undefined>): number | undefined => {
  const sorted = xs.filter((x): x is number => x !== undefined && Number.isFinite(x)).sort((a, b) => a - b);
  if (!sorted.length) return undefined;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

/**
 * Round r runs every tool once, starting one further along the list each round, so that no
 * tool always goes first (cold page cache, JIT) or last (a hot broker).
 */
interface Sample {
  seconds?: number;
  perSecond?: number;
  reported?: number;
  rssMb?: number;
  reportedRssMb?: number;
  error?: string;
}

interface ThroughputRow {
  median?: number;
  reportedMedian?: number;
  peakRssMb?: number;
  runs: Sample[];
}

async function interleave(
  name: string,
  runners: Record<string, Runner>,
  prepare: (tool: string) => Promise<string>,
  cleanup: (topic: string) => Promise<void>,
): Promise<Record<string, ThroughputRow>> {
  const tools = Object.keys(runners);
  const samples: Record<string, Sample[]> = Object.fromEntries(tools.map((t) => [t, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (let i = 0; i < tools.length; i++) {
      const tool = tools[(i + round) % tools.length];
      const topic = await prepare(tool);
      log(`${name} round ${round + 1}/${ROUNDS}: ${tool}`);
      try {
        const r = await runners[tool](topic);
        const perSecond = Math.round(COUNT / r.seconds);
        samples[tool].push({
          seconds: r.seconds,
          perSecond,
          reported: r.reported,
          rssMb: r.rssMb,
          reportedRssMb: r.reportedRssMb,
        });
        log(
          `  ${r.seconds.toFixed(2)} s wall, ${perSecond} msg/s${r.reported ? `, tool says ${r.reported} msg/s` : ''}${r.rssMb ? `, peak RSS ${r.rssMb} MB` : ''}`,
        );
      } catch (error) {
        samples[tool].push({ error: (error as Error).message });
        log(`  failed: ${(error as Error).message}`);
      } finally {
        await cleanup(topic);
      }
    }
  }
  return summarize(samples, 'perSecond');
}

function summarize(samples: Record<string, Sample[]>, key: 'perSecond'): Record<string, ThroughputRow> {
  const rows: Record<string, ThroughputRow> = {};
  for (const [tool, runs] of Object.entries(samples)) {
    rows[tool] = {
      median: median(runs.map((r) => r[key])),
      reportedMedian: median(runs.map((r) => r.reported)),
      peakRssMb: runs.some((r) => r.rssMb) ? Math.max(...runs.map((r) => r.rssMb ?? 0)) : undefined,
      runs,
    };
  }
  return rows;
}

async function produceComparison(cluster: Cluster, files: PayloadFiles) {
  const runners = produceRunners(cluster, files);
  return interleave(
    'produce',
    runners,
    () => createTopic(cluster, 'p'),
    (topic) => deleteTopic(cluster, topic),
  );
}

async function consumeComparison(cluster: Cluster, files: PayloadFiles) {
  // One topic, filled once by kcat (untimed); each run reads all of it with a fresh group.
  const topic = await createTopic(cluster, 'c');
  log(`filling ${topic} with ${COUNT} messages`);
  await run(KCAT, ['-P', ...cluster.kcatConnection, '-t', topic, '-l', files.lines]);
  try {
    return await interleave(
      'consume',
      consumeRunners(cluster),
      async () => topic,
      async () => {},
    );
  } finally {
    await deleteTopic(cluster, topic);
  }
}

type LatencyKey = 'p50' | 'p95' | 'p99' | 'p999' | 'max' | 'sentPerSecond';
type LatencySample = Partial<Record<LatencyKey | 'received', number>>;
type LatencyRow = Partial<Record<LatencyKey, number>> & { runs: LatencySample[] };

interface E2eResult {
  latencyMs: Record<'p50' | 'p95' | 'p99' | 'p999' | 'max', number>;
  sentPerSecond: number;
  received: number;
}

async function e2eComparison(cluster: Cluster): Promise<Record<string, LatencyRow>> {
  const variants: Record<string, string[]> = {
    'kfeed bench e2e (defaults, linger 5 ms)': [],
    'kfeed bench e2e --linger-ms 0': ['--linger-ms', '0'],
  };
  const samples: Record<string, LatencySample[]> = Object.fromEntries(Object.keys(variants).map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [variant, extra] of Object.entries(variants)) {
      log(`e2e round ${round + 1}/${ROUNDS}: ${variant}`);
      const r = await kfeed([
        'bench',
        'e2e',
        '--rate',
        String(E2E_RATE),
        '--duration',
        String(E2E_SECONDS),
        '--json',
        ...extra,
        ...cluster.kfeedConnection,
      ]);
      const result = JSON.parse(r.stdout) as E2eResult;
      samples[variant].push({ ...result.latencyMs, sentPerSecond: result.sentPerSecond, received: result.received });
      log(`  p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, max ${result.latencyMs.max} ms`);
    }
  }
  // The machine's floor, for reference: Kafka's own tool sends one message, waits until its
  // consumer has it, then sends the next (whole milliseconds; no p95 or max).
  const reference = 'Java EndToEndLatency (one at a time)';
  samples[reference] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const topic = await createTopic(cluster, 'e');
    log(`e2e round ${round + 1}/${ROUNDS}: ${reference}`);
    try {
      const r = await run(cluster.java, [
        '-cp',
        cluster.classpath,
        'org.apache.kafka.tools.EndToEndLatency',
        cluster.brokers,
        topic,
        String(E2E_JAVA_MESSAGES),
        'all',
        String(SIZE),
        cluster.javaConfig,
      ]);
      const m = /Percentiles: 50th = (\d+), 99th = (\d+), 99\.9th = (\d+)/.exec(r.stdout);
      if (!m) throw new Error(`no percentiles in its output: ${r.stdout.trim().split('\n').pop()}`);
      samples[reference].push({ p50: Number(m[1]), p99: Number(m[2]), p999: Number(m[3]) });
      log(`  p50 ${m[1]} ms, p99 ${m[2]} ms`);
    } catch (error) {
      log(`  failed: ${(error as Error).message}`);
    } finally {
      await deleteTopic(cluster, topic);
    }
  }
  const keys: LatencyKey[] = ['p50', 'p95', 'p99', 'p999', 'max', 'sentPerSecond'];
  const rows: Record<string, LatencyRow> = {};
  for (const [variant, runs] of Object.entries(samples)) {
    rows[variant] = { ...Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])), runs };
  }
  return rows;
}

/** Wall time of starting a process that does nearly nothing, interleaved, in ms. */
interface ColdRow {
  medianMs: number;
  minMs: number;
  runs: number;
}

function coldStart(): Record<string, ColdRow> {
  const commands: Record<string, [string, string[]]> = {
    'node -e 0': [NODE, ['-e', '0']],
    'kfeed --version': [NODE, [KFEED, '--version']],
    'kfeed --help': [NODE, [KFEED, '--help']],
  };
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(commands).map((c) => [c, []]));
  for (let i = 0; i < COLD_RUNS; i++) {
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

function machine() {
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  const kcatText = capture(KCAT, ['-V']) ?? '';
  const kcatVersion = `kcat ${/Version ([\w.]+)/i.exec(kcatText)?.[1] ?? '?'} (librdkafka ${/librdkafka ([\w.]+)/.exec(kcatText)?.[1] ?? '?'})`;
  return {
    nproc: capture('nproc', []) ?? String(os.cpus().length),
    cpu,
    memory:
      capture('free', ['-h'])
        ?.split('\n')
        .find((l) => l.startsWith('Mem:'))
        ?.replace(/\s+/g, ' ') ?? `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    java: capture('java', ['-version'])?.split('\n')[0],
    kcat: kcatVersion,
    loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
  };
}

// ---------------------------------------------------------------- report

interface Target {
  measure: string;
  target: string;
  measured: string;
  met?: boolean;
}

interface Results {
  startedAt: string;
  count: number;
  size: number;
  rounds: number;
  machine: ReturnType<typeof machine>;
  kafkaVersion?: string;
  coldStart?: Record<string, ColdRow>;
  produce?: Record<string, ThroughputRow>;
  consume?: Record<string, ThroughputRow>;
  e2e?: Record<string, LatencyRow>;
  loadAverageAtEnd?: number[];
  targets?: Target[];
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined
    ? 'n/a'
    : Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const ratio = (a: number | undefined, b: number | undefined) => (a && b ? Math.round((a / b) * 100) / 100 : undefined);

function markdown(results: Results): string {
  const m = results.machine;
  const lines = [
    `# kfeed vs kcat vs Apache Kafka's Java tools`,
    '',
    `${results.startedAt} · ${COUNT.toLocaleString('en-US')} messages of ${SIZE} B (quote-shaped JSON, null keys) per run · ${ROUNDS} interleaved rounds · one local Kafka ${results.kafkaVersion} broker (KRaft) over mTLS · medians`,
    '',
    `Machine: ${m.nproc} CPUs (${m.cpu}), ${m.memory}, ${m.os}; Node ${m.node}; ${m.java}; ${m.kcat}. Load average at start ${m.loadAverage.join(' / ')}, at end ${(results.loadAverageAtEnd ?? []).join(' / ')}.`,
    '',
    'msg/s is messages over the wall time of the whole process (start, connect, send or read everything, exit), the one measure every tool has. "tool says" is what the tool reports about itself (it leaves out start-up).',
  ];
  const throughputTable = (title: string, rows: Record<string, ThroughputRow> | undefined, note: string) => {
    if (!rows) return;
    const kfeedRow = rows['kfeed bench'];
    lines.push(
      '',
      `## ${title}`,
      '',
      note,
      '',
      '| tool | msg/s (wall) | tool says msg/s | peak RSS MB | kfeed bench / tool |',
      '|---|---:|---:|---:|---:|',
    );
    for (const [tool, row] of Object.entries(rows)) {
      const errors = row.runs.filter((r) => r.error).length;
      lines.push(
        `| ${tool}${errors ? ` (${errors} failed)` : ''} | ${fmt(row.median)} | ${fmt(row.reportedMedian)} | ${fmt(row.peakRssMb, 1)} | ${tool === 'kfeed bench' ? '—' : `${fmt(ratio(kfeedRow?.median, row.median), 2)}x`} |`,
      );
    }
  };
  throughputTable(
    'Produce (acks=all, idempotent)',
    results.produce,
    "Each tool's defaults otherwise: kfeed linger 5 ms / 1000 records a batch; kcat (librdkafka) linger 5 ms; Java linger 0 ms / 16 KB batches. A fresh 1-partition topic per run.",
  );
  throughputTable(
    'Consume to /dev/null',
    results.consume,
    'The same filled 1-partition topic, read from the start: kfeed and Java in a fresh consumer group (join included), kcat by partition assignment.',
  );
  if (results.e2e) {
    lines.push(
      '',
      `## End to end at ${E2E_RATE} msg/s`,
      '',
      `\`kfeed bench e2e --rate ${E2E_RATE} --duration ${E2E_SECONDS}\` (1 s warm-up not measured): latency from handing a message to the producer until the consumer in the same process has it. For reference, Kafka's own EndToEndLatency tool (${E2E_JAVA_MESSAGES} messages, one at a time, acks=all): the floor this machine and broker give.`,
      '',
      '| run | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | sent msg/s |',
      '|---|---:|---:|---:|---:|---:|---:|',
    );
    for (const [variant, row] of Object.entries(results.e2e))
      lines.push(
        `| ${variant} | ${fmt(row.p50, 2)} | ${fmt(row.p95, 2)} | ${fmt(row.p99, 2)} | ${fmt(row.p999, 2)} | ${fmt(row.max, 2)} | ${fmt(row.sentPerSecond)} |`,
      );
  }
  if (results.coldStart) {
    const base = results.coldStart['node -e 0'].medianMs;
    lines.push(
      '',
      `## Cold start (${COLD_RUNS} runs each, interleaved)`,
      '',
      '| command | median ms | min ms | / node -e 0 |',
      '|---|---:|---:|---:|',
    );
    for (const [label, row] of Object.entries(results.coldStart))
      lines.push(
        `| \`${label}\` | ${fmt(row.medianMs, 1)} | ${fmt(row.minMs, 1)} | ${fmt(ratio(row.medianMs, base), 2)}x |`,
      );
  }
  if (results.targets?.length) {
    lines.push('', '## Targets', '', '| measure | target | measured | met |', '|---|---|---|---|');
    for (const t of results.targets)
      lines.push(
        `| ${t.measure} | ${t.target} | ${t.measured} | ${t.met === undefined ? 'n/a' : t.met ? 'yes' : 'no'} |`,
      );
  }
  return lines.join('\n') + '\n';
}

function targets(results: Results): Target[] {
  const out: Target[] = [];
  const p = results.produce;
  if (p) {
    const k = p['kfeed bench']?.median;
    const vsKcat = ratio(k, p.kcat?.median);
    const vsJava = ratio(k, p['Java ProducerPerformance']?.median);
    out.push({
      measure: `produce, ${SIZE}-byte JSON, acks=all, mTLS`,
      target: '>= 1.0x kcat',
      measured: `${fmt(vsKcat, 2)}x`,
      met: vsKcat === undefined ? undefined : vsKcat >= 1,
    });
    out.push({
      measure: `produce, ${SIZE}-byte JSON, acks=all, mTLS`,
      target: '>= 1.5x Java',
      measured: `${fmt(vsJava, 2)}x`,
      met: vsJava === undefined ? undefined : vsJava >= 1.5,
    });
    const rss = p['kfeed bench']?.peakRssMb ?? median(p['kfeed bench']?.runs.map((r) => r.reportedRssMb) ?? []);
    out.push({
      measure: `peak RSS, ${COUNT.toLocaleString('en-US')}-message produce`,
      target: '<= 200 MB',
      measured: `${fmt(rss, 1)} MB`,
      met: rss === undefined || COUNT < 1_000_000 ? undefined : rss <= 200,
    });
  }
  const c = results.consume;
  if (c) {
    const vsKcat = ratio(c['kfeed bench']?.median, c.kcat?.median);
    out.push({
      measure: 'consume to /dev/null',
      target: '>= 1.0x kcat',
      measured: `${fmt(vsKcat, 2)}x`,
      met: vsKcat === undefined ? undefined : vsKcat >= 1,
    });
  }
  if (results.e2e) {
    const p99 = results.e2e['kfeed bench e2e (defaults, linger 5 ms)']?.p99;
    out.push({
      measure: `end-to-end p99 at ${E2E_RATE} msg/s (defaults)`,
      target: '<= 5 ms',
      measured: `${fmt(p99, 2)} ms`,
      met: p99 === undefined ? undefined : p99 <= 5,
    });
    const p99Fast = results.e2e['kfeed bench e2e --linger-ms 0']?.p99;
    out.push({
      measure: `end-to-end p99 at ${E2E_RATE} msg/s (--linger-ms 0)`,
      target: '<= 5 ms',
      measured: `${fmt(p99Fast, 2)} ms`,
      met: p99Fast === undefined ? undefined : p99Fast <= 5,
    });
  }
  if (results.coldStart) {
    const r = ratio(results.coldStart['kfeed --help'].medianMs, results.coldStart['node -e 0'].medianMs);
    out.push({
      measure: '`kfeed --help` cold start',
      target: '<= 1.3x `node -e 0`',
      measured: `${fmt(r, 2)}x`,
      met: r === undefined ? undefined : r <= 1.3,
    });
  }
  return out;
}

// ---------------------------------------------------------------- main

async function main() {
  const results: Results = {
    startedAt: new Date().toISOString(),
    count: COUNT,
    size: SIZE,
    rounds: ROUNDS,
    machine: machine(),
  };
  if (ONLY.has('cold')) {
    log(`cold start: ${COLD_RUNS} runs of each command`);
    results.coldStart = coldStart();
  }
  const needsCluster = ['produce', 'consume', 'e2e'].some((w) => ONLY.has(w));
  if (needsCluster) {
    const cluster = await startCluster();
    results.kafkaVersion = cluster.kafkaVersion;
    try {
      const files = writePayloads();
      if (ONLY.has('produce')) results.produce = await produceComparison(cluster, files);
      if (ONLY.has('consume')) results.consume = await consumeComparison(cluster, files);
      if (ONLY.has('e2e')) results.e2e = await e2eComparison(cluster);
    } finally {
      if (!args['keep-cluster']) await kfeed(['local', 'down', '--name', args.name], { allowFailure: true });
    }
  }
  results.loadAverageAtEnd = os.loadavg().map((n) => Math.round(n * 100) / 100);
  results.targets = targets(results);
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, 'compare.json'), JSON.stringify(results, null, 2) + '\n');
  const text = markdown(results);
  fs.writeFileSync(path.join(args.out, 'compare.md'), text);
  process.stdout.write(text);
  log(`wrote ${path.join(args.out, 'compare.json')} and compare.md`);
}

try {
  await main();
} finally {
  fs.rmSync(WORK, { recursive: true, force: true });
}
