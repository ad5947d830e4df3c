// Compares Kafka engines for kfeed as whole processes on one local mTLS broker, interleaved:
// kafkajs 2.2.4, @platformatic/kafka and kcat (librdkafka, the reference). Produce: idempotent,
// acks=all, a fresh topic per run. Consume: one topic filled once by kcat, read whole each run.
// Wall time, CPU seconds and peak RSS of each process come from GNU time.
//
//   npm run bench:engines -- [--rounds 3] [--count 500000] [--size 200] [--partitions 6]
//   CKJS_MODULES=/path/node_modules npm run bench:engines   # also @confluentinc/kafka-javascript
//
// Run under Node ≥ 22.22 / 24.6 (@platformatic/kafka needs it): npm puts node_modules/.bin first.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createTopic, deleteTopic, NODE, ROOT, startCluster, writePayloads, type Cluster } from '../lib/cluster.js';
import { capture, cleanupScratch, loadAverage, log, run, which } from '../lib/process.js';
import { createRequire } from 'node:module';
import { interleave, type Runner, type ThroughputRow, type Workload } from '../compare/workloads.js';

/** kfeed no longer depends on kafkajs: `npm install --no-save kafkajs@2.2.4` (or KAFKAJS_MODULES) measures it. */
const HAS_KAFKAJS = (() => {
  try {
    createRequire(`${process.env.KAFKAJS_MODULES ?? path.join(ROOT, 'node_modules')}/`).resolve('kafkajs');
    return true;
  } catch {
    return false;
  }
})();

const { values: args } = parseArgs({
  options: {
    name: { type: 'string', default: 'bench' },
    rounds: { type: 'string', default: '3' },
    count: { type: 'string', default: '500000' },
    size: { type: 'string', default: '200' },
    partitions: { type: 'string', default: '6' },
    only: { type: 'string', default: 'produce,consume' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
  },
});
const ROUNDS = Number(args.rounds);
const COUNT = Number(args.count);
const SIZE = Number(args.size);
const PARTITIONS = Number(args.partitions);
const CLIENT = path.join(ROOT, 'dist', 'bench-tools', 'engine-client.js');
const KCAT = which('kcat') ?? '';
if (!KCAT) throw new Error('kcat is not installed (apt-get install kcat)');
const workload: Workload = { count: COUNT, size: SIZE, partitions: PARTITIONS, rounds: ROUNDS, kcat: KCAT };

function client(cluster: Cluster, engine: string, mode: string, extra: string[] = []): Runner {
  return async (topic) => {
    const { ca, cert, key } = cluster.files;
    const r = await run(NODE, [
      CLIENT,
      ...['--engine', engine, '--mode', mode, '--topic', topic, '--brokers', cluster.brokers],
      ...['--ca', ca, '--cert', cert, '--key', key, '--count', String(COUNT), '--size', String(SIZE), ...extra],
    ]);
    // The last line: a client may log to stdout before it.
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { records: number; seconds: number };
    return { ...r, reported: Math.round(out.records / out.seconds) };
  };
}

function produceRunners(cluster: Cluster, lines: string): Record<string, Runner> {
  return {
    ...(HAS_KAFKAJS ? { 'kafkajs 2.2.4 (1 in flight, 1000/send)': client(cluster, 'kafkajs', 'produce') } : {}),
    '@platformatic/kafka (1 in flight, 1000/send)': client(cluster, 'platformatic', 'produce'),
    '@platformatic/kafka (5 in flight, 1000/send)': client(cluster, 'platformatic', 'produce', ['--in-flight', '5']),
    ...(process.env.CKJS_MODULES
      ? { '@confluentinc/kafka-javascript (1 in flight, 1000/send)': client(cluster, 'confluent', 'produce') }
      : {}),
    kcat: (topic) =>
      run(KCAT, [
        '-P',
        ...cluster.kcatConnection,
        ...['-X', 'acks=all', '-X', 'enable.idempotence=true', '-t', topic, '-l', lines],
      ]),
  };
}

function consumeRunners(cluster: Cluster): Record<string, Runner> {
  return {
    ...(HAS_KAFKAJS ? { 'kafkajs 2.2.4': client(cluster, 'kafkajs', 'consume') } : {}),
    '@platformatic/kafka (default fetch sizes)': client(cluster, 'platformatic', 'consume'),
    '@platformatic/kafka (maxBytes 64 MiB, 8 MiB a partition)': client(cluster, 'platformatic', 'consume', [
      ...['--max-bytes', String(64 << 20), '--max-bytes-per-partition', String(8 << 20)],
    ]),
    // Responses are parsed from a list of socket chunks searched from the start for every read,
    // so the cost per record grows with the response: small fetches are the fast ones.
    '@platformatic/kafka (maxBytes 3 MiB, 512 KiB a partition)': client(cluster, 'platformatic', 'consume', [
      ...['--max-bytes', String(3 << 20), '--max-bytes-per-partition', String(512 << 10)],
    ]),
    ...(process.env.CKJS_MODULES ? { '@confluentinc/kafka-javascript': client(cluster, 'confluent', 'consume') } : {}),
    kcat: (topic) =>
      run(KCAT, ['-C', ...cluster.kcatConnection, '-t', topic, '-o', 'beginning', '-e', '-q'], {
        discardStdout: true,
      }),
  };
}

type Table = Record<string, ThroughputRow>;

function markdown(results: { startedAt: string; kafkaVersion: string; load: number[][]; tables: [string, Table][] }) {
  const kcatText = capture(KCAT, ['-V']) ?? '';
  const lines = [
    '# Kafka engines for kfeed: kafkajs, @platformatic/kafka, kcat',
    '',
    `${results.startedAt} · ${COUNT.toLocaleString('en-US')} records of ${SIZE} B (quote-shaped JSON, null keys) · ${PARTITIONS} partitions · one local Kafka ${results.kafkaVersion} broker over mTLS · ${ROUNDS} interleaved rounds, medians · Node ${process.version} · kcat ${/Version ([\w.]+)/i.exec(kcatText)?.[1] ?? '?'} (librdkafka ${/librdkafka ([\w.]+)/.exec(kcatText)?.[1] ?? '?'}) · ${os.cpus().length} CPUs`,
    '',
    `Load average (1/5/15 min) at start ${results.load[0].join(' / ')}, at end ${results.load[1].join(' / ')}.`,
    '',
    'Whole processes: msg/s is records over the wall time from start to exit (connect included); CPU is user + system time of the process (GNU time) over the records; RSS is the peak resident set. The JS clients are minimal scripts (bench/engines/client.ts), not kfeed.',
  ];
  for (const [title, table] of results.tables) {
    const kcat = table.kcat;
    lines.push('', `## ${title}`, '', '| client | msg/s | × kcat | CPU µs/record | × kcat CPU | peak RSS MB |');
    lines.push('|---|---:|---:|---:|---:|---:|');
    for (const [tool, row] of Object.entries(table)) {
      const failed = row.runs.filter((r) => r.error).length;
      const ratio = (a?: number, b?: number) => (a && b ? (a / b).toFixed(2) : 'n/a');
      lines.push(
        `| ${tool}${failed ? ` (${failed} failed)` : ''} | ${row.median?.toLocaleString('en-US') ?? 'n/a'} | ${ratio(row.median, kcat?.median)} | ${row.cpuMicrosPerRecord ?? 'n/a'} | ${ratio(row.cpuMicrosPerRecord, kcat?.cpuMicrosPerRecord)} | ${row.peakRssMb || 'n/a'} |`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-engines-'));
  const startedAt = new Date().toISOString();
  const loadAtStart = loadAverage();
  const cluster = await startCluster(args.name, work);
  const { lines } = writePayloads(work, COUNT, SIZE);
  const tables: [string, Table][] = [];
  const only = new Set(args.only.split(','));
  if (only.has('produce')) {
    const runners = produceRunners(cluster, lines);
    const prepare = () => createTopic(cluster, 'ep', PARTITIONS);
    tables.push([
      'Produce (idempotent, acks=all)',
      await interleave('produce', workload, runners, prepare, (t) => deleteTopic(cluster, t)),
    ]);
  }
  if (only.has('consume')) {
    const topic = await createTopic(cluster, 'ec', PARTITIONS);
    log(`filling ${topic} with ${COUNT} records`);
    await run(KCAT, ['-P', ...cluster.kcatConnection, '-t', topic, '-l', lines]);
    const table = await interleave(
      'consume',
      workload,
      consumeRunners(cluster),
      async () => topic,
      async () => {},
    );
    tables.push(['Consume (every partition from the start, to nowhere)', table]);
    await deleteTopic(cluster, topic);
  }
  const results = { startedAt, kafkaVersion: cluster.kafkaVersion, load: [loadAtStart, loadAverage()], tables };
  const stamp = startedAt.replace(/[:.]/g, '-').slice(0, 19);
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, `engines-${stamp}.json`), JSON.stringify(results, null, 2) + '\n');
  const text = markdown(results);
  fs.writeFileSync(path.join(args.out, `engines-${stamp}.md`), text);
  process.stdout.write(text);
  fs.rmSync(work, { recursive: true, force: true });
}

try {
  await main();
} finally {
  cleanupScratch();
}
