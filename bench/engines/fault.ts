// Does an idempotent @platformatic/kafka producer write every record exactly once when its
// broker is killed with SIGKILL and restarted mid-run? Produces `--count` numbered records with
// `--in-flight` sends outstanding to a fresh topic on local cluster `--name`, kills broker 1 once
// `--kill-at` records are acknowledged, starts it again, then counts every number with kcat.
//
//   npm run bench:fault -- --name bench --in-flight 5 --runs 5 [--count 500000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { kfeedPaths } from '../../src/config/paths.js';
import { readClusterState, startBroker, stopBroker, waitUntilServing } from '../../src/local/cluster.js';
import { createTopic, deleteTopic, ROOT, startCluster, type Cluster } from '../lib/cluster.js';
import { loadAverage, log, run, which } from '../lib/process.js';

const { values: args } = parseArgs({
  options: {
    name: { type: 'string', default: 'bench' },
    runs: { type: 'string', default: '5' },
    count: { type: 'string', default: '500000' },
    batch: { type: 'string', default: '1000' },
    'in-flight': { type: 'string', default: '1' },
    'kill-at': { type: 'string', default: '100000' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
  },
});
const COUNT = Number(args.count);
const BATCH = Number(args.batch);
const IN_FLIGHT = Number(args['in-flight']);
const KILL_AT = Number(args['kill-at']);

const valueOf = (n: number) => Buffer.from(`seq-${n}|`.padEnd(200, 'x'));

async function produceThroughCrash(cluster: Cluster, topic: string): Promise<{ acknowledged: number; error?: string }> {
  const { Producer, ProduceAcks } = await import('@platformatic/kafka');
  const { ca, cert, key } = cluster.files;
  const tls = {
    ca: fs.readFileSync(ca, 'utf8'),
    cert: fs.readFileSync(cert, 'utf8'),
    key: fs.readFileSync(key, 'utf8'),
  };
  const producer = new Producer({
    clientId: 'engine-fault',
    bootstrapBrokers: cluster.brokers.split(','),
    tls,
    idempotent: true,
    acks: ProduceAcks.ALL,
    retryDelay: 500,
  });
  const state = readClusterState(kfeedPaths(process.env).dataDir, cluster.name)!;
  let next = 0;
  let acknowledged = 0;
  let crash: Promise<void> | undefined;
  const lane = async () => {
    while (next < COUNT) {
      const from = next;
      const n = Math.min(BATCH, COUNT - next);
      next += n;
      const messages = Array.from({ length: n }, (_, i) => ({ topic, value: valueOf(from + i) }));
      await producer.send({ messages });
      acknowledged += n;
      if (!crash && acknowledged >= KILL_AT) {
        crash = (async () => {
          // A moment later, at random: the kill lands anywhere in a request's life.
          await new Promise((resolve) => setTimeout(resolve, Math.random() * 30));
          log(`  SIGKILL broker 1 at ${acknowledged} acknowledged`);
          await stopBroker(state, 1, { kill: true });
          startBroker(state, 1, process.env);
          await waitUntilServing(state, 120_000);
          log('  broker 1 serves again');
        })();
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
    await crash;
    return { acknowledged };
  } catch (error) {
    await crash?.catch(() => undefined);
    return { acknowledged, error: (error as Error).message };
  } finally {
    await producer.close().catch(() => undefined);
  }
}

/** Reads the whole topic with kcat: how many numbers are missing, and how many are there twice or more. */
async function count(cluster: Cluster, topic: string) {
  const kcat = which('kcat')!;
  const r = await run(kcat, [
    '-C',
    ...cluster.kcatConnection,
    '-t',
    topic,
    '-o',
    'beginning',
    '-e',
    '-q',
    '-f',
    '%s\n',
  ]);
  const seen = new Uint8Array(COUNT);
  let records = 0;
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    records++;
    const n = Number(line.slice(4, line.indexOf('|')));
    if (seen[n] < 255) seen[n]++;
  }
  let missing = 0;
  let duplicated = 0;
  for (const times of seen) {
    if (times === 0) missing++;
    else if (times > 1) duplicated += times - 1;
  }
  return { records, missing, duplicated };
}

async function main() {
  const cluster = await startCluster(args.name, fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-fault-')));
  const rows: string[] = [];
  const loadAtStart = loadAverage();
  for (let i = 1; i <= Number(args.runs); i++) {
    const topic = await createTopic(cluster, 'fault', 6);
    log(`run ${i}: ${COUNT} records, ${IN_FLIGHT} in flight, broker killed at ${KILL_AT}`);
    const produced = await produceThroughCrash(cluster, topic);
    const counted = await count(cluster, topic);
    const verdict = counted.missing === 0 && counted.duplicated === 0 && !produced.error ? 'exactly once' : 'FAILED';
    log(`  ${verdict}: ${JSON.stringify({ ...produced, ...counted })}`);
    rows.push(
      `| ${i} | ${IN_FLIGHT} | ${produced.acknowledged} | ${counted.records} | ${counted.missing} | ${counted.duplicated} | ${produced.error ?? ''} | ${verdict} |`,
    );
    await deleteTopic(cluster, topic);
  }
  const text = [
    `# @platformatic/kafka idempotent producer through a broker SIGKILL: ${IN_FLIGHT} send(s) in flight`,
    '',
    `${new Date().toISOString()} · ${COUNT} numbered records of 200 B, ${BATCH} a send, 6 partitions, one local Kafka ${cluster.kafkaVersion} broker (mTLS), killed with SIGKILL at ${KILL_AT} acknowledged and started again; counted with kcat. Load at start ${loadAtStart.join(' / ')}, at end ${loadAverage().join(' / ')}.`,
    '',
    '| run | in flight | acknowledged | records in topic | missing | duplicates | producer error | result |',
    '|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows,
  ].join('\n');
  const file = path.join(
    args.out,
    `engine-fault-${IN_FLIGHT}-in-flight-${new Date().toISOString().slice(0, 19).replace(/:/g, '-')}.md`,
  );
  fs.writeFileSync(file, text + '\n');
  process.stdout.write(text + '\n');
}

await main();
