// Scale of the consumer-group commands on a local broker: `kfeed group list` over 1,000 groups
// and `kfeed group describe` of a group on 100 partitions, each timed as a user runs them (the
// built binary, a fresh process, wall clock). The goal is under 2 s each. Writes the figures
// and the machine's load (`uptime`) to bench/results/groups-<time>.md.
//
//   npm run build && npx vite-node bench/groups.ts [-- --runs 5 --groups 1000 --partitions 100]
//
// It starts its own cluster (`kfeed local up --name groups-bench --no-profile`) and stops it.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Producer } from '@platformatic/kafka';
import { baseOptions, closeQuietly } from '../src/kafka/client.js';
import { withGroups } from '../src/kafka/groups.js';
import {
  formatRuns,
  kfeedTimed,
  loadAverage,
  machineLine,
  ROOT,
  startBenchCluster,
  stopBenchCluster,
} from './local-bench.js';

const { values: args } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    name: { type: 'string', default: 'groups-bench' },
    runs: { type: 'string', default: '5' },
    groups: { type: 'string', default: '1000' },
    partitions: { type: 'string', default: '100' },
    out: { type: 'string', default: path.join(ROOT, 'bench', 'results') },
  },
});
const RUNS = Number(args.runs);
const GROUPS = Number(args.groups);
const PARTITIONS = Number(args.partitions);

async function main() {
  const uptimeAtStart = loadAverage();
  const { flags, settings } = await startBenchCluster(args.name!);
  try {
    const topic = `bench-groups-${Date.now().toString(36)}`;
    const created = await kfeedTimed(['topic', 'create', topic, '--partitions', String(PARTITIONS), ...flags]);
    if (created.code !== 0) throw new Error(created.stderr);

    // 20 records per partition, a second apart in timestamp, so every lag has a time.
    const producer = new Producer({ ...(await baseOptions(settings, { retries: 10 })), idempotent: true });
    const base = Date.now() - 60_000;
    await producer.send({
      acks: -1,
      messages: Array.from({ length: PARTITIONS * 20 }, (_, i) => ({
        topic,
        partition: i % PARTITIONS,
        value: Buffer.from(`r${i}`),
        timestamp: BigInt(base + Math.floor(i / PARTITIONS) * 1000),
      })),
    });
    await closeQuietly(producer);

    // 1,000 groups (each with an offset on one partition) and one group on all partitions.
    const seedStarted = performance.now();
    await withGroups(settings, async (client) => {
      const describeGroup = `${topic}-wide`;
      await client.commit(
        describeGroup,
        Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition, offset: 5 })),
      );
      for (let i = 0; i < GROUPS - 1; i += 50) {
        const batch = Array.from({ length: Math.min(50, GROUPS - 1 - i) }, (_, j) => i + j);
        await Promise.all(
          batch.map((n) =>
            client.commit(`${topic}-g${String(n).padStart(4, '0')}`, [
              { topic, partition: n % PARTITIONS, offset: n % 20 },
            ]),
          ),
        );
      }
    });
    const seedMs = performance.now() - seedStarted;

    const listMs: number[] = [];
    const describeMs: number[] = [];
    let listed = 0;
    let described = 0;
    let withTime = 0;
    for (let r = 0; r < RUNS; r++) {
      const list = await kfeedTimed(['group', 'list', '--json', ...flags]);
      if (list.code !== 0) throw new Error(list.stderr);
      listed = (JSON.parse(list.stdout) as unknown[]).length;
      listMs.push(list.ms);
      const describe = await kfeedTimed(['group', 'describe', `${topic}-wide`, '--json', ...flags]);
      if (describe.code !== 0) throw new Error(describe.stderr);
      const parts = (JSON.parse(describe.stdout) as { partitions: Array<{ lagSeconds: number | null }> }).partitions;
      described = parts.length;
      withTime = parts.filter((p) => p.lagSeconds !== null && p.lagSeconds > 0).length;
      describeMs.push(describe.ms);
    }
    // The same questions in this process (connection, requests and answer; no process start).
    const listInProcess: number[] = [];
    const describeInProcess: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      let started = performance.now();
      await withGroups(settings, (client) => client.list());
      listInProcess.push(performance.now() - started);
      started = performance.now();
      await withGroups(settings, (client) => client.describe(`${topic}-wide`));
      describeInProcess.push(performance.now() - started);
    }
    // A process that does nothing but start and print its help: the floor of every figure above.
    const floor: number[] = [];
    for (let r = 0; r < RUNS; r++) floor.push((await kfeedTimed(['group', '--help'])).ms);

    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const fmt = formatRuns;
    const report = [
      `# kfeed group commands at scale (${new Date().toISOString()})`,
      '',
      machineLine(uptimeAtStart),
      `Cluster: \`kfeed local up\` (KRaft, 1 broker, mTLS). Each figure is a fresh \`node bin/kfeed.js\` process, wall clock.`,
      '',
      `| what | result | time |`,
      `|---|---|---|`,
      `| \`group list --json\` | ${listed} groups (goal: ${GROUPS}, under 2 s) | ${fmt(listMs)} |`,
      `| \`group describe --json\` | ${described} partitions, ${withTime} with a time lag > 0 (goal: ${PARTITIONS}, under 2 s) | ${fmt(describeMs)} |`,
      `| \`group --help\` (process start, the floor) | - | ${fmt(floor)} |`,
      `| list, in-process (connect + requests) | ${GROUPS} groups | ${fmt(listInProcess)} |`,
      `| describe, in-process (connect + requests) | ${PARTITIONS} partitions | ${fmt(describeInProcess)} |`,
      '',
      `Seeding ${GROUPS} groups took ${Math.round(seedMs)} ms.`,
      '',
    ].join('\n');
    fs.mkdirSync(args.out!, { recursive: true });
    const file = path.join(args.out!, `groups-${stamp}.md`);
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
