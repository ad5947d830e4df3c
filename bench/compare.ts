// Runs identical workloads through kfeed, kcat and Apache Kafka's Java performance tools on a
// local mTLS broker (`kfeed local up --name bench`), interleaved over several rounds, and
// writes medians, kfeed/kcat ratios and CPU per message as JSON and markdown under bench/results/.
//
//   npm run bench:compare -- [--rounds 3] [--count 500000] [--size 200] [--partitions 6]
//
// TypeScript under the project's typecheck (bench/tsconfig.json), bundled by `npm run bench:build`
// into dist/bench-tools/. The workloads are in bench/compare/, the report in bench/compare/report.ts.
//
// Run it on a quiet machine: every number is wall-clock time on shared cores.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { kfeed, ROOT, startCluster, writePayloads } from './lib/cluster.js';
import { capture, cleanupScratch, loadAverage, log, which } from './lib/process.js';
import { markdown, targets, type Results } from './compare/report.js';
import {
  coldStart,
  consumeComparison,
  e2eComparison,
  produceComparison,
  produceRss,
  type Workload,
} from './compare/workloads.js';

const { values: args } = parseArgs({
  options: {
    name: { type: 'string', default: 'bench' },
    rounds: { type: 'string', default: '3' },
    count: { type: 'string', default: '500000' },
    'rss-count': { type: 'string', default: '1000000' },
    size: { type: 'string', default: '200' },
    partitions: { type: 'string', default: '6' },
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
  --count <n>          messages per produce / consume run (default 500000)
  --rss-count <n>      messages of the one produce whose peak RSS is reported (default 1000000)
  --size <bytes>       bytes per message (default 200)
  --partitions <n>     partitions of every topic (default 6)
  --e2e-rate <n>       end-to-end run: messages per second (default 5000)
  --e2e-seconds <n>    end-to-end run: measured seconds (default 10)
  --e2e-java-messages <n>  Java's EndToEndLatency, one message at a time (default 3000)
  --cold-runs <n>      runs per cold-start command (default 20)
  --only <list>        some of: produce,consume,rss,e2e,cold (default all)
  --out <dir>          where compare.json / compare.md go (default bench/results)
  --keep-cluster       leave the cluster running afterwards`);
  process.exit(0);
}

type NumberFlag =
  | 'rounds'
  | 'count'
  | 'rss-count'
  | 'size'
  | 'partitions'
  | 'e2e-rate'
  | 'e2e-seconds'
  | 'cold-runs'
  | 'e2e-java-messages';
function positive(name: NumberFlag): number {
  const n = Number(args[name]);
  if (!Number.isInteger(n) || n < 1) fail(`--${name} must be a whole number above 0`);
  return n;
}

function fail(message: string): never {
  console.error(`compare: ${message}`);
  process.exit(2);
}

const ONLY = new Set((args.only ?? 'produce,consume,rss,e2e,cold').split(',').map((s) => s.trim()));
if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) fail('build kfeed first: npm run build');
const workload: Workload = {
  count: positive('count'),
  size: positive('size'),
  partitions: positive('partitions'),
  rounds: positive('rounds'),
  kcat: which('kcat') ?? fail('kcat is not installed (apt-get install kcat)'),
};

function machine(kcat: string) {
  const kcatText = capture(kcat, ['-V']) ?? '';
  return {
    nproc: capture('nproc', []) ?? String(os.cpus().length),
    cpu: os.cpus()[0]?.model ?? 'unknown',
    memory:
      capture('free', ['-h'])
        ?.split('\n')
        .find((l) => l.startsWith('Mem:'))
        ?.replace(/\s+/g, ' ') ?? `${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    java: capture('java', ['-version'])?.split('\n')[0],
    kcat: `kcat ${/Version ([\w.]+)/i.exec(kcatText)?.[1] ?? '?'} (librdkafka ${/librdkafka ([\w.]+)/.exec(kcatText)?.[1] ?? '?'})`,
    loadAverage: loadAverage(),
  };
}

async function main() {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-compare-'));
  const results: Results = {
    startedAt: new Date().toISOString(),
    count: workload.count,
    size: workload.size,
    partitions: workload.partitions,
    rounds: workload.rounds,
    e2eRate: positive('e2e-rate'),
    e2eSeconds: positive('e2e-seconds'),
    javaMessages: positive('e2e-java-messages'),
    machine: machine(workload.kcat),
  };
  try {
    if (ONLY.has('cold')) {
      log('cold start');
      results.coldStart = coldStart(positive('cold-runs'));
    }
    if (['produce', 'consume', 'rss', 'e2e'].some((w) => ONLY.has(w))) {
      const cluster = await startCluster(args.name, work);
      results.kafkaVersion = cluster.kafkaVersion;
      try {
        const files = writePayloads(work, workload.count, workload.size);
        if (ONLY.has('produce')) results.produce = await produceComparison(cluster, files, workload);
        if (ONLY.has('consume')) results.consume = await consumeComparison(cluster, files, workload);
        if (ONLY.has('rss')) results.rss = await produceRss(cluster, positive('rss-count'), workload);
        if (ONLY.has('e2e')) {
          const e2e = { rate: results.e2eRate, seconds: results.e2eSeconds, javaMessages: results.javaMessages };
          results.e2e = await e2eComparison(cluster, workload, e2e);
        }
      } finally {
        if (!args['keep-cluster']) await kfeed(['local', 'down', '--name', args.name], { allowFailure: true });
      }
    }
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
    cleanupScratch();
  }
  results.loadAverageAtEnd = loadAverage();
  results.targets = targets(results);
  fs.mkdirSync(args.out, { recursive: true });
  fs.writeFileSync(path.join(args.out, 'compare.json'), JSON.stringify(results, null, 2) + '\n');
  const text = markdown(results);
  fs.writeFileSync(path.join(args.out, 'compare.md'), text);
  process.stdout.write(text);
  log(`wrote ${path.join(args.out, 'compare.json')} and compare.md`);
}

await main();
