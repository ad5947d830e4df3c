import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetBucketLocationCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { kfeed } from './helpers/run.js';
import { motoS3, startMoto, type Moto } from './helpers/moto.js';
import { highWatermarks, listObjects, objectBytes, sinkKilledMidStream } from './helpers/s3-sink.js';

import { unique } from './helpers/unique.js';
import { expectFailure } from './helpers/assert.js';

let moto: Moto;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  s3 = motoS3(moto);
});

afterAll(async () => {
  await moto?.stop();
});

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Stored {
  key: string;
  etag: string;
  lines: Array<{ topic: string; partition: number; offset: number; value: unknown }>;
}

/** Every JSON-lines object under a prefix, its lines parsed. */
async function objects(bucket: string, prefix: string): Promise<Stored[]> {
  const found: Stored[] = [];
  for (const o of await listObjects(s3, bucket, prefix)) {
    const body = Buffer.from(await objectBytes(s3, bucket, o.key)).toString('utf8');
    found.push({
      ...o,
      lines: body
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l)),
    });
  }
  return found;
}

/** Every offset of every partition, as "partition:offset", with how many objects hold it. */
function coverage(stored: Stored[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const o of stored)
    for (const l of o.lines) seen.set(`${l.partition}:${l.offset}`, (seen.get(`${l.partition}:${l.offset}`) ?? 0) + 1);
  return seen;
}

function expectEveryOffsetOnce(seen: Map<string, number>, highs: number[]) {
  const expected = highs.flatMap((high, partition) =>
    Array.from({ length: high }, (_, offset) => `${partition}:${offset}`),
  );
  expect([...seen.keys()].sort()).toEqual(expected.sort());
  const twice = [...seen].filter(([, n]) => n !== 1);
  expect(twice).toEqual([]);
}

describe('the S3 sink against moto', () => {
  it('killed with SIGKILL mid-stream and restarted, it stores every offset in exactly one object', async () => {
    const topic = unique('s3kill');
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
    const bucket = unique('feed');
    const group = unique('sink');
    const sinkArgs = [
      'consume',
      topic,
      '--from-beginning',
      '-g',
      group,
      '--sink',
      `s3://${bucket}/raw`,
      '--create-bucket',
      '--batch-size',
      '150',
      '--batch-seconds',
      '1',
    ];

    // A market keeps streaming while the sink is killed and restarted.
    const { highs, output } = await sinkKilledMidStream({
      topic,
      sinkArgs,
      env: moto.env,
      written: async () => (await objects(bucket, 'raw/')).length,
      // Everything is stored once the objects cover every offset.
      stored: async () => coverage(await objects(bucket, 'raw/')).size,
    });
    expect(output).toMatch(/wrote \d+ objects \(\d+ records\) to s3:\/\//);

    const stored = await objects(bucket, 'raw/');
    expectEveryOffsetOnce(coverage(stored), highs);
    for (const o of stored) {
      const { partition, offset: first } = o.lines[0];
      const last = o.lines[o.lines.length - 1].offset;
      expect(o.key).toMatch(
        new RegExp(
          `^raw/${topic}/partition=${partition}/date=\\d{4}-\\d\\d-\\d\\d/${String(first).padStart(20, '0')}-${String(last).padStart(20, '0')}\\.jsonl$`,
        ),
      );
      expect(o.lines.map((l) => l.offset)).toEqual(Array.from({ length: last - first + 1 }, (_, i) => first + i));
    }
  });

  it('a batch written again lands on the same key with the same bytes; a run that finds its batch written skips it', async () => {
    const topic = unique('s3again');
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
    const lines = Array.from({ length: 1000 }, (_, i) => `{"n":${i}}`);
    expect((await kfeed(['produce', '-t', topic], { stdin: lines.join('\n') })).code).toBe(0);
    const bucket = unique('again');
    const run = (group: string) =>
      kfeed(
        [
          'consume',
          topic,
          '--from-beginning',
          '--exit-at-end',
          '-g',
          group,
          '--sink',
          `s3://${bucket}`,
          '--create-bucket',
          '--object-records',
          '100',
          '--json',
        ],
        { env: moto.env },
      );

    const group = unique('g');
    const once = await run(group);
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    const firstSummary = JSON.parse(once.stdout);
    expect(firstSummary).toMatchObject({ records: 1000, recovered: 0 });
    const before = await objects(bucket, '');
    expect(before.map((o) => o.key).sort()).toEqual([...firstSummary.keys].sort());
    expectEveryOffsetOnce(coverage(before), await highWatermarks(topic));
    expect(before.flatMap((o) => o.lines.map((l) => (l.value as { n: number }).n)).sort((a, b) => a - b)).toEqual(
      lines.map((_, i) => i),
    );

    // The group losing its commits (as after a crash between upload and commit) re-reads everything.
    expect((await kfeed(['group', 'delete', group, '--yes'])).code).toBe(0);
    const again = await run(group);
    expect(again.code).toBe(0);
    const secondSummary = JSON.parse(again.stdout);
    expect(secondSummary.recovered).toBeGreaterThan(0);
    const after = await objects(bucket, '');
    expect(after.map((o) => [o.key, o.etag]).sort()).toEqual(before.map((o) => [o.key, o.etag]).sort());
    expectEveryOffsetOnce(coverage(after), await highWatermarks(topic));
  });

  it("records the group in each object's metadata; another group on the same prefix is refused, the same group is not", async () => {
    const topic = unique('s3owner');
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
    const produce = async (from: number) =>
      expect(
        (
          await kfeed(['produce', '-t', topic], {
            stdin: Array.from({ length: 50 }, (_, i) => `{"n":${from + i}}`).join('\n'),
          })
        ).code,
      ).toBe(0);
    await produce(0);
    const bucket = unique('owner');
    const sink = (group: string, prefix: string) =>
      kfeed(
        [
          'consume',
          topic,
          '--from-beginning',
          '--exit-at-end',
          '-g',
          group,
          '--sink',
          `s3://${bucket}/${prefix}`,
          '--create-bucket',
          '--object-records',
          '20',
          '--json',
        ],
        { env: moto.env },
      );
    const owner = unique('g');
    const first = await sink(owner, 'shared');
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const written = await objects(bucket, 'shared/');
    expect(written.length).toBeGreaterThan(1);
    for (const o of written) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.key }));
      expect(head.Metadata).toEqual({ 'kfeed-group': owner });
    }

    // Another group would read every record again into overlapping objects: refused, nothing written.
    await produce(50);
    const other = unique('g');
    const refused = await sink(other, 'shared');
    expectFailure(
      refused,
      8,
      new RegExp(
        `^kfeed: s3://${bucket}/shared/ holds objects of consumer group ${owner} \\(shared/${topic}/partition=\\d/\\S+\\.jsonl\\) — give group ${other} its own prefix, or run this sink in group ${owner}$`,
      ),
    );
    expect(refused.stderr.trim().split('\n')).toHaveLength(1);
    expect((await objects(bucket, 'shared/')).map((o) => [o.key, o.etag])).toEqual(written.map((o) => [o.key, o.etag]));

    // Its own prefix is fine; so is the owning group coming back for the new records.
    const elsewhere = await sink(other, 'other');
    expect(elsewhere.code).toBe(0);
    expect(JSON.parse(elsewhere.stdout).records).toBe(100);
    const resumed = await sink(owner, 'shared');
    expect(resumed.stderr).toBe('');
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout).records).toBe(50);
    const all = await objects(bucket, 'shared/');
    expectEveryOffsetOnce(coverage(all), await highWatermarks(topic));
  });

  it('a missing bucket without --create-bucket, and a bad location, are one line each', async () => {
    const topic = unique('s3err');
    expect((await kfeed(['create-topic', topic])).code).toBe(0);
    const missing = await kfeed(['consume', topic, '--exit-at-end', '--sink', `s3://${unique('nobucket')}`], {
      env: moto.env,
    });
    expect(missing.code).toBe(7);
    expect(missing.stderr).toMatch(/^kfeed: S3 bucket \S+ does not exist — create it, or pass --create-bucket\n$/);
    const bad = await kfeed(['consume', topic, '--sink', 'http://x'], { env: moto.env });
    expectFailure(bad, 2, /is not an S3 location/);
  });

  it('S3 is checked before Kafka is asked, and what AWS says is one line: unreachable, a bad region, denied', async () => {
    const topic = unique('s3aws');
    expect((await kfeed(['create-topic', topic])).code).toBe(0);
    const expectOneLine = (result: { code: number; stderr: string }, code: number, message: RegExp) => {
      expect({ code: result.code, stderr: result.stderr }).toMatchObject({
        code,
        stderr: expect.stringMatching(message),
      });
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    };
    // Brokers that are not there: the S3 errors come first, so they are what is reported.
    const noKafka = ['--brokers', '127.0.0.1:1', '--plaintext'];
    const badRegion = await kfeed(['consume', topic, '--sink', 's3://some-bucket', '--region', 'mars', ...noKafka], {
      env: moto.env,
    });
    expectOneLine(badRegion, 2, /^kfeed: "mars" is not an AWS region — use a region code such as us-east-1\n$/);
    const closed = await closedPort();
    const unreachable = await kfeed(
      ['consume', topic, '--sink', 's3://some-bucket', '--endpoint-url', `http://127.0.0.1:${closed}`, ...noKafka],
      { env: moto.env },
    );
    expectOneLine(
      unreachable,
      4,
      new RegExp(
        `^kfeed: checking S3 bucket some-bucket failed: cannot reach the AWS endpoint http://127.0.0.1:${closed} \\(ECONNREFUSED\\) — `,
      ),
    );

    // moto checking credentials (INITIAL_NO_AUTH_ACTION_COUNT=0): unknown keys are refused.
    const guarded = await startMoto({ env: { INITIAL_NO_AUTH_ACTION_COUNT: '0' } });
    try {
      const denied = await kfeed(
        ['consume', topic, '--exit-at-end', '--sink', `s3://${unique('guarded')}`, '--create-bucket'],
        { env: guarded.env },
      );
      // HeadBucket's 403 has no body: the status is what says so.
      expectOneLine(
        denied,
        6,
        /^kfeed: checking S3 bucket \S+ was denied by AWS: HTTP 403 — the AWS identity needs s3:ListBucket and s3:PutObject on the bucket\n$/,
      );
    } finally {
      await guarded.stop();
    }

    // Outside us-east-1 the bucket is created in the region asked for.
    const bucket = unique('eu');
    const elsewhere = await kfeed(
      ['consume', topic, '--exit-at-end', '--sink', `s3://${bucket}`, '--create-bucket', '--region', 'eu-west-1'],
      { env: moto.env },
    );
    expect([elsewhere.code, elsewhere.stderr]).toEqual([
      0,
      `writing to s3://${bucket} in consumer group kfeed-s3-sink (objects of up to 1000 records or 60 s)\n`,
    ]);
    expect((await s3.send(new GetBucketLocationCommand({ Bucket: bucket }))).LocationConstraint).toBe('eu-west-1');
  });
});
