import { describe, expect, it, onTestFinished } from 'vitest';
import { parseObjectKey } from '../src/feed/sinks/layouts.js';
import { duckdb } from './helpers/duckdb.js';
import { sharedCluster, tempDir } from './helpers/env.js';
import { motoForFile } from './helpers/moto-file.js';
import { kfeed } from './helpers/run.js';
import {
  downloadObjects,
  groupOwners,
  highWatermarks,
  listObjects,
  objectBytes,
  startSink,
} from './helpers/s3-sink.js';
import { unique } from './helpers/unique.js';
import { waitFor } from './helpers/wait.js';

const aws = motoForFile();

const MARKET_RECORDS = 24_000;

/** What the keys under a prefix say they hold: partition and first..last offsets. */
async function ranges(bucket: string, prefix: string) {
  const location = { bucket, prefix };
  return (await listObjects(aws.s3, bucket, prefix)).map((o) => {
    const parsed = parseObjectKey(location, o.key);
    if (!parsed) throw new Error(`not a sink key: ${o.key}`);
    return { key: o.key, partition: parsed.partition, first: Number(parsed.first), last: Number(parsed.last) };
  });
}

type Range = Awaited<ReturnType<typeof ranges>>[number];

const stored = (found: Range[]) => found.reduce((sum, r) => sum + r.last - r.first + 1, 0);

/** The (partition, offset) of every record the objects hold, read from their bytes. */
async function recordsInObjects(bucket: string, prefix: string, format: string, keys: Range[]) {
  if (format === 'jsonl') {
    const out: Array<[number, number]> = [];
    for (const { key } of keys) {
      const body = Buffer.from(await objectBytes(aws.s3, bucket, key)).toString('utf8');
      for (const line of body.trim().split('\n')) {
        const { partition, offset } = JSON.parse(line) as { partition: number; offset: number };
        out.push([partition, offset]);
      }
    }
    return out;
  }
  const dir = tempDir('kfeed-sink-group-');
  await downloadObjects(aws.s3, bucket, prefix, dir);
  const rows = await duckdb(
    `SELECT kafka_partition AS p, kafka_offset AS o FROM read_parquet('${dir}/**/*.parquet', hive_partitioning = false)`,
  );
  return rows.map((r) => [Number(r.p), Number(r.o)] as [number, number]);
}

/** The summary a sink prints with --json (its stdout). */
const summary = (stdout: string): { records: number; objects: number; group: string } => JSON.parse(stdout);

/** `kfeed consume` as an S3 sink in `group`, writing small objects often (many commits). */
function sinkArgs(topic: string, bucket: string, group: string, protocol: string, format: string): string[] {
  return [
    'consume',
    topic,
    '--from-beginning',
    '-g',
    group,
    '--group-protocol',
    protocol,
    '--sink',
    `s3://${bucket}/raw`,
    '--sink-format',
    format,
    '--create-bucket',
    '--object-records',
    '50',
    '--object-seconds',
    '1',
    '--json',
  ];
}

/** A simulated market of eight symbols streaming `count` records into `topic` at `rate` a second. */
function market(topic: string, count: number, rate: number) {
  return kfeed([
    'produce',
    '--source',
    'sim',
    '--symbols',
    'AAPL,MSFT,AMZN,NVDA,GOOGL,TSLA,META,IBM',
    '--rate',
    String(rate),
    '--count',
    String(count),
    '--topic',
    topic,
    '--json',
  ]);
}

/** The keys tile each partition's offsets once, and the objects hold exactly what their keys say. */
async function expectEveryOffsetOnce(bucket: string, format: string, highs: number[]) {
  const keys = await ranges(bucket, 'raw/');
  for (const [partition, high] of highs.entries()) {
    const mine = keys.filter((k) => k.partition === partition).sort((a, b) => a.first - b.first);
    expect(
      mine.map((k) => [k.first, k.last]),
      `partition ${partition}`,
    ).toEqual(mine.map((k, i) => [i === 0 ? 0 : mine[i - 1].last + 1, k.last]));
    // A partition no symbol hashed to holds nothing.
    expect(mine.at(-1)?.last ?? -1, `partition ${partition}`).toBe(high - 1);
  }
  const records = await recordsInObjects(bucket, 'raw/', format, keys);
  const expected = highs.flatMap((high, p) => Array.from({ length: high }, (_, o) => `${p}:${o}`));
  expect(records.map(([p, o]) => `${p}:${o}`).sort()).toEqual(expected.sort());
}

/** Stops a sink with SIGTERM: it writes what it holds, commits, leaves, exits 143 without a complaint. */
async function stopCleanly(sink: ReturnType<typeof startSink>) {
  sink.child.kill('SIGTERM');
  expect({ code: await sink.exited, output: sink.output() }).toMatchObject({ code: 143 });
  expect(sink.output()).not.toMatch(/^kfeed:/m);
}

// Kafka 4 brokers serve both group protocols; 3.9 the classic one (KIP-848 is off there).
const protocols = sharedCluster().kafkaVersion.startsWith('3.') ? ['classic'] : ['classic', 'consumer'];

describe.each(protocols)('sinks sharing one group (%s protocol)', (protocol) => {
  it.each(['jsonl', 'parquet'])(
    '%s: a second sink joins mid-stream; both keep running, split the partitions, and store every offset once',
    async (format) => {
      const topic = unique('s3grp');
      expect((await kfeed(['create-topic', topic, '--partitions', '8'])).code).toBe(0);
      const bucket = unique('grp');
      const group = unique('sinkgrp');
      const args = sinkArgs(topic, bucket, group, protocol, format);
      const written = async () => stored(await ranges(bucket, 'raw/').catch(() => []));

      // The market streams for 12 s; the first sink reads alone until it has written objects.
      const produced = market(topic, MARKET_RECORDS, 2000);
      const first = startSink(args, aws.moto.env);
      onTestFinished(() => void first.child.kill('SIGKILL'));
      await waitFor('the first sink writing', async () => ((await written()) >= 1000 ? true : undefined));

      // A second sink joins: the group rebalances while the first one writes and commits.
      const second = startSink(args, aws.moto.env);
      onTestFinished(() => void second.child.kill('SIGKILL'));
      await waitFor('both sinks owning partitions', async () => ((await groupOwners(group)) === 2 ? true : undefined));
      const atJoin = await written();
      await waitFor('both sinks writing', async () => ((await written()) >= atJoin + 2000 ? true : undefined));

      // The market ends with both sinks still running: neither gave up on the rebalance.
      expect(JSON.parse((await produced).stdout)).toMatchObject({ acknowledged: MARKET_RECORDS, errors: 0 });
      expect({
        first: first.child.exitCode,
        second: second.child.exitCode,
        output: first.output() + second.output(),
      }).toMatchObject({ first: null, second: null });
      const highs = await highWatermarks(topic);
      expect(highs.reduce((a, b) => a + b, 0)).toBe(MARKET_RECORDS);
      await waitFor('every offset stored', async () => ((await written()) >= MARKET_RECORDS ? true : undefined));

      // Both stop cleanly: the first leaves (the second takes its partitions), then the second.
      await stopCleanly(first);
      await stopCleanly(second);

      // Both did part of the work, in the one group.
      const [one, two] = [summary(first.stdout()), summary(second.stdout())];
      expect([one.group, two.group]).toEqual([group, group]);
      expect(one.records).toBeGreaterThan(0);
      expect(two.records).toBeGreaterThan(0);
      await expectEveryOffsetOnce(bucket, format, highs);
    },
  );
});
