// Scale of `kfeed subscriber list`: 500 subscribers over 50 topics of 6 partitions, each with a
// consumer group that is behind, on a local broker that requires ACLs. Timed as a user runs it
// (the built binary, a fresh process, wall clock); the goal is under 3 s. Writes the figures and
// the machine's load to bench/results/subscribers-<time>.md.
//
//   npm run build && npx vite-node bench/subscribers.ts [-- --runs 5 --subscribers 500 --topics 50]
//
// It starts its own cluster (`kfeed local up --name subscribers-bench --require-acls`) and stops it.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Producer } from '@platformatic/kafka';
import { createBindings } from '../src/kafka/acls.js';
import { baseOptions, closeQuietly, createAdmin } from '../src/kafka/client.js';
import { logRanges } from '../src/kafka/topics.js';
import { withGroups } from '../src/kafka/groups.js';
import { poll } from '../src/wait.js';
import {
  formatRuns,
  kfeedTimed,
  loadAverage,
  machineLine,
  ROOT,
  startBenchCluster,
  stopBenchCluster,
} from './local-bench.js';
import { subscriberBindings } from '../src/subscribers/acls.js';
import {
  DEFAULT_REGISTRY_TOPIC,
  ensureRegistryTopic,
  RECORD_FORMAT,
  type SubscriberRecord,
} from '../src/subscribers/registry.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    name: { type: 'string', default: 'subscribers-bench' },
    runs: { type: 'string', default: '5' },
    subscribers: { type: 'string', default: '500' },
    topics: { type: 'string', default: '50' },
    partitions: { type: 'string', default: '6' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
  },
});
const RUNS = Number(args.runs);
const SUBSCRIBERS = Number(args.subscribers);
const TOPICS = Number(args.topics);
const PARTITIONS = Number(args.partitions);

async function main(): Promise<void> {
  const loadAtStart = loadAverage();
  const { flags, settings } = await startBenchCluster(args.name!, ['--require-acls']);
  try {
    // Patient retries: right after creation a partition may still be moving to its leader.
    const admin = await createAdmin(settings, { retries: 10 });
    const seedStarted = performance.now();
    const topics = Array.from({ length: TOPICS }, (_, i) => `bench-feed-${String(i).padStart(2, '0')}`);
    await admin.createTopics({ topics, partitions: PARTITIONS, replicas: 1 });
    await poll(
      async () => {
        const meta = [...(await admin.metadata({ topics, forceUpdate: true })).topics.values()];
        return meta.every((t) => t.partitionsCount === PARTITIONS && t.partitions.every((p) => p.leader >= 0))
          ? true
          : undefined;
      },
      { what: 'the new topics to have leaders', timeoutMs: 60_000, intervalMs: 500 },
    );
    // 10 records per partition, a second apart, so every subscriber's group has a lag in time.
    const producer = new Producer({ ...(await baseOptions(settings, { retries: 10 })), idempotent: true });
    const base = Date.now() - 120_000;
    await producer.send({
      acks: -1,
      messages: topics.flatMap((topic) =>
        Array.from({ length: PARTITIONS * 10 }, (_, i) => ({
          topic,
          partition: i % PARTITIONS,
          value: Buffer.from(`r${i}`),
          timestamp: BigInt(base + Math.floor(i / PARTITIONS) * 1000),
        })),
      ),
    });

    // Subscribers: each reads two topics and has one group, 3 records behind on each partition.
    const now = new Date().toISOString();
    const records: SubscriberRecord[] = Array.from({ length: SUBSCRIBERS }, (_, i) => {
      const name = `client-${String(i).padStart(3, '0')}`;
      return {
        format: RECORD_FORMAT,
        name,
        principal: `User:CN=${name},O=Bench Corp`,
        role: 'consumer',
        topics: [topics[i % TOPICS], topics[(i + 1) % TOPICS]],
        groupPrefix: `${name}-`,
        certificates: [
          {
            serialNumber: i.toString(16).padStart(16, '0'),
            notBefore: now,
            notAfter: new Date(Date.now() + 300 * 86_400_000).toISOString(),
            fingerprintSha256: '',
            ca: 'bench',
            issuedAt: now,
          },
        ],
        createdAt: now,
        createdBy: 'User:bench',
        updatedAt: now,
        updatedBy: 'User:bench',
      };
    });
    await ensureRegistryTopic(admin, DEFAULT_REGISTRY_TOPIC);
    await producer.send({
      acks: -1,
      messages: records.map((r) => ({
        topic: DEFAULT_REGISTRY_TOPIC,
        key: Buffer.from(r.name),
        value: Buffer.from(JSON.stringify(r)),
      })),
    });
    await closeQuietly(producer);
    const bindings = records.flatMap((r) => subscriberBindings(r));
    for (let i = 0; i < bindings.length; i += 500) await createBindings(admin, bindings.slice(i, i + 500));
    // What each subscriber's lag must be: the records past offset 7 of its topics' partitions.
    const behind = new Map<string, number>();
    for (const topic of topics)
      behind.set(
        topic,
        [...(await logRanges(admin, topic, [...Array(PARTITIONS).keys()])).values()].reduce(
          (sum, o) => sum + Number(o.high) - 7,
          0,
        ),
      );
    await closeQuietly(admin);
    await withGroups(settings, async (client) => {
      for (let i = 0; i < records.length; i += 50) {
        await Promise.all(
          records.slice(i, i + 50).map((r) =>
            client.commit(
              `${r.groupPrefix}main`,
              r.topics.flatMap((topic) =>
                Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 7 })),
              ),
            ),
          ),
        );
      }
    });
    const seedMs = performance.now() - seedStarted;

    const listMs: number[] = [];
    let rows = 0;
    let withLag = 0;
    for (let r = 0; r < RUNS; r++) {
      const listed = await kfeedTimed(['subscriber', 'list', '--json', ...flags]);
      if (listed.code !== 0) throw new Error(listed.stderr);
      const body = JSON.parse(listed.stdout) as {
        subscribers: Array<{ topics: string[]; lag: number | null; lagSeconds: number | null }>;
      };
      rows = body.subscribers.length;
      const expected = (topicsOf: string[]) => topicsOf.reduce((sum, t) => sum + behind.get(t)!, 0);
      withLag = body.subscribers.filter((s) => s.lag === expected(s.topics) && (s.lagSeconds ?? 0) > 0).length;
      listMs.push(listed.ms);
      if (withLag !== rows) console.error(`unexpected lag, e.g. ${JSON.stringify(body.subscribers[0]).slice(0, 400)}`);
    }
    const floor: number[] = [];
    for (let r = 0; r < RUNS; r++) floor.push((await kfeedTimed(['subscriber', '--help'])).ms);

    const fmt = formatRuns;
    const report = [
      `# kfeed subscriber list at scale (${new Date().toISOString()})`,
      '',
      machineLine(loadAtStart),
      'Cluster: `kfeed local up --require-acls` (KRaft, 1 broker, mTLS). ' +
        'Each figure is a fresh `node bin/kfeed.js` process, wall clock.',
      '',
      '| what | result | time |',
      '|---|---|---|',
      `| \`subscriber list --json\` | ${rows} subscribers, ${withLag} with the expected lag ` +
        `(goal: ${SUBSCRIBERS} over ${TOPICS} topics x ${PARTITIONS} partitions, under 3 s) | ${fmt(listMs)} |`,
      `| \`subscriber --help\` (process start, the floor) | - | ${fmt(floor)} |`,
      '',
      `Seeding (topics, records, ${bindings.length} ACLs, ${SUBSCRIBERS} groups) took ${Math.round(seedMs)} ms.`,
      '',
    ].join('\n');
    fs.mkdirSync(args.out!, { recursive: true });
    const file = path.join(args.out!, `subscribers-${new Date().toISOString().replace(/[:.]/g, '-')}.md`);
    fs.writeFileSync(file, report);
    console.log(report);
    console.log(`written to ${path.relative(ROOT, file)}`);
  } finally {
    await stopBenchCluster(args.name!);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
