import { describe, expect, it, onTestFinished } from 'vitest';
import { openFeedConsumer, type ConsumedRecord } from '../src/feed/consumer.js';
import { ensureBucket, S3Sink } from '../src/feed/sinks/s3.js';
import { sharedCluster } from './helpers/env.js';
import { motoForFile } from './helpers/moto-file.js';
import { resolveWith } from './helpers/resolve-connection.js';
import { kfeed } from './helpers/run.js';
import { listObjects } from './helpers/s3-sink.js';
import { unique } from './helpers/unique.js';

const aws = motoForFile();

/** Connection settings for the suite's shared mTLS cluster, as a user's flags would give them. */
async function sharedSettings() {
  const cluster = sharedCluster();
  const { settings } = resolveWith({
    brokers: cluster.tlsBrokers.join(','),
    ca: cluster.ca,
    cert: cluster.adminCert,
    key: cluster.adminKey,
  });
  return settings;
}

// After a rebalance the engine's stream can stay past the group's commit (a fetch under way
// while the group rebalanced lands after the stream went back to the commits). An S3 sink has
// dropped what it buffered from the commit on, so it has the consumer read again from there.
describe('reading again from the group commits', () => {
  it('rewind() makes the consumer deliver a partition again from its commit, on a real broker', async () => {
    const topic = unique('rewind');
    expect((await kfeed(['create-topic', topic, '--partitions', '1'])).code).toBe(0);
    const produced = await kfeed([
      'produce',
      '--source',
      'sim',
      '--count',
      '300',
      '--rate',
      '100000',
      '--topic',
      topic,
    ]);
    expect(produced.code, produced.stderr).toBe(0);

    const consumer = await openFeedConsumer(await sharedSettings(), {
      topics: [topic],
      groupId: unique('rewind-group'),
      start: { from: 'committed', fallback: 'earliest' },
      groupProtocol: 'classic',
    });
    onTestFinished(() => consumer.close());
    const firsts: number[] = [];
    const afterRewind: number[] = [];
    let rewound = false;
    // Without a rewind nothing more comes once all 300 are read: the run ends at the timeout.
    await consumer.consume(async (batch, control) => {
      firsts.push(Number(batch.records[0].offset));
      if (rewound) afterRewind.push(...batch.records.map((r) => Number(r.offset)));
      if (!rewound) {
        expect(await control.commit(topic, 0, '100')).toBe(true);
        consumer.rewind();
        rewound = true;
      } else if (batch.records.at(-1)!.offset === '299') control.stop();
    }, AbortSignal.timeout(20_000));

    expect(firsts[0]).toBe(0);
    // Everything from the commit on came again, in order, once.
    expect(afterRewind).toEqual(Array.from({ length: 200 }, (_, i) => 100 + i));
  });

  it('an S3 sink rewinds an assignment whose first records are past the commit, then stores from the commit', async () => {
    const bucket = unique('rewind');
    const s3 = { client: aws.s3, region: 'us-east-1', endpoint: aws.moto.endpoint };
    await ensureBucket(s3, bucket, true);
    const commits: string[] = [];
    let rewinds = 0;
    const sink = new S3Sink(s3, {
      location: { bucket, prefix: 'raw/' },
      group: 'g',
      batchSize: 50,
      batchSeconds: 60,
      commit: async (_topic, _partition, offset) => (commits.push(offset), true),
      owner: () => 1,
      committed: async () => 100n,
      rewind: () => void rewinds++,
    });
    const records = (from: number, to: number): ConsumedRecord[] =>
      Array.from({ length: to - from + 1 }, (_, i) => ({
        topic: 't',
        partition: 0,
        offset: String(from + i),
        key: null,
        value: Buffer.from(`v${from + i}`),
        headers: {},
        timestamp: '1796400000000',
      }));

    // Read before the rebalance, past the commit: not stored, and the consumer is rewound once.
    await sink.add({ topic: 't', partition: 0, records: records(150, 179) });
    await sink.add({ topic: 't', partition: 0, records: records(180, 199) });
    expect(rewinds).toBe(1);
    expect(await listObjects(aws.s3, bucket, 'raw/')).toEqual([]);

    // The rewound stream brings the records from the commit on: they are stored from there.
    await sink.add({ topic: 't', partition: 0, records: records(100, 199) });
    const keys = (await listObjects(aws.s3, bucket, 'raw/')).map((o) => o.key.replace(/^.*\//, ''));
    expect(keys.sort()).toEqual([
      '00000000000000000100-00000000000000000149.jsonl',
      '00000000000000000150-00000000000000000199.jsonl',
    ]);
    expect(commits).toEqual(['150', '200']);
    expect(rewinds).toBe(1);
  });
});
