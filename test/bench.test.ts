import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { kfeed, kfeedBinary } from './helpers/run.js';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { expectFailure } from './helpers/assert.js';
import { MIN_PAYLOAD_SIZE } from '../src/bench/payload.js';
import type { LatencyResult, ThroughputResult } from '../src/bench/runner.js';

import { unique } from './helpers/unique.js';

async function topicNames(): Promise<string[]> {
  const listed = await kfeed(['list-topics', '--json', '--no-acls']);
  expect(listed.code).toBe(0);
  return (JSON.parse(listed.stdout).topics as Array<{ name: string }>).map((t) => t.name);
}

/** kcat as the suite cluster's admin: the independent reader and writer of these tests. */
function adminKcat(args: string[], options: { stdin?: string } = {}) {
  const c = sharedCluster();
  return kcat(c.tlsBrokers, { ca: c.ca, cert: c.adminCert, key: c.adminKey }, args, options);
}

function expectSaneThroughput(result: ThroughputResult, messages: number, size: number) {
  expect(result.messages).toBe(messages);
  expect(result.messageBytes).toBe(size);
  expect(result.bytes).toBe(messages * size);
  expect(result.errors).toBe(0);
  expect(result.seconds).toBeGreaterThan(0);
  // The rates are the counts over the time, not made-up numbers.
  expect(Math.abs(result.messagesPerSecond - messages / result.seconds)).toBeLessThanOrEqual(
    Math.max(2, result.messagesPerSecond * 0.01),
  );
  expect(result.megabytesPerSecond).toBeCloseTo((messages * size) / 1e6 / result.seconds, 1);
  expect(result.peakRssMb).toBeGreaterThan(10);
  expect(result.interrupted).toBe(false);
}

describe('kfeed bench on the shared mTLS cluster', () => {
  it('produce: counts what the broker acknowledged, on a temporary topic it deletes', async () => {
    const run = await kfeed(['bench', 'produce', '-n', '3000', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ThroughputResult;
    expect(result).toMatchObject({
      mode: 'produce',
      temporaryTopic: true,
      partitions: 1,
      settings: {
        acks: 'all',
        idempotent: true,
        compression: 'none',
        lingerMs: 5,
        batchSize: 1000,
        keyed: true,
        rate: 0,
      },
    });
    expectSaneThroughput(result, 3000, 200);
    expect(result.topic).toMatch(/^kfeed-bench-produce-/);
    expect(await topicNames()).not.toContain(result.topic);
  });

  it('produce --keep-topic: the figures agree with the topic as kcat reads it and with the clock outside', async () => {
    const started = Date.now();
    const run = await kfeedBinary(['bench', 'produce', '-n', '3000', '--rate', '1500', '--keep-topic', '--json'], {
      timeoutMs: 90_000,
    });
    const outsideSeconds = (Date.now() - started) / 1000;
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ThroughputResult;
    expect(result).toMatchObject({ temporaryTopic: true, keptTopic: true, messages: 3000 });
    const c = sharedCluster();
    const read = await kcat(c.tlsBrokers, { ca: c.ca, cert: c.adminCert, key: c.adminKey }, [
      '-C',
      '-t',
      result.topic,
      '-e',
      '-q',
      '-f',
      '%T\n',
    ]);
    expect(read.code).toBe(0);
    const timestamps = read.stdout.trim().split('\n').map(Number);
    // What the topic holds, not what the product counted.
    expect(timestamps).toHaveLength(3000);
    // The reported time fits inside the process's life, and covers the span the records were written in.
    expect(result.seconds).toBeLessThanOrEqual(outsideSeconds);
    const spanSeconds = (Math.max(...timestamps) - Math.min(...timestamps)) / 1000;
    expect(result.seconds).toBeGreaterThanOrEqual(spanSeconds);
    // Paced at 1500/s: 3000 records take about 2 s of record time, never much less.
    expect(spanSeconds).toBeGreaterThanOrEqual(1.8);
    expect(result.messagesPerSecond).toBeLessThanOrEqual(Math.ceil(3000 / spanSeconds));
    expect((await kfeed(['delete-topic', result.topic, '--yes'])).code).toBe(0);
  });

  it('produce into an existing topic: the messages are there afterwards, with the asked size, keys and codec', async () => {
    const topic = unique('bench-in');
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
    const run = await kfeed([
      'bench',
      'produce',
      '--topic',
      topic,
      '-n',
      '700',
      '--size',
      '300',
      '--compression',
      'gzip',
      '--null-keys',
      '--no-idempotent',
      '--acks',
      '1',
      '--linger-ms',
      '0',
      '--batch-size',
      '100',
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^produce: 700 messages of 300 B in [\d.]+ s/);
    expect(run.stdout).toMatch(/throughput\s+\d+ msg\/s, [\d.]+ MB\/s/);
    expect(run.stdout).toMatch(/acks=1, compression gzip, linger 0 ms, batch 100, null keys/);
    expect(run.stderr).toContain('bench produce: done');

    // Read back with an independent client (librdkafka): count, null keys, sizes, JSON quotes.
    const c = sharedCluster();
    const read = await kcat(c.tlsBrokers, { ca: c.ca, cert: c.adminCert, key: c.adminKey }, [
      '-C',
      '-t',
      topic,
      '-e',
      '-q',
      '-f',
      '%K|%S|%s\\n',
    ]);
    expect(read.code).toBe(0);
    const records = read.stdout
      .trim()
      .split('\n')
      .map((line) => line.split('|'));
    expect(records).toHaveLength(700);
    for (const [keyLength, valueLength, value] of records) {
      expect([keyLength, valueLength]).toEqual(['-1', '300']);
      expect(JSON.parse(value)).toMatchObject({ kind: 'quote' });
    }
    expect(await topicNames()).toContain(topic);
    expect((await kfeed(['delete-topic', topic, '--yes'])).code).toBe(0);
  });

  it('produce --duration at --rate sends no faster than asked; Ctrl-C stops a run and still reports it', async () => {
    const paced = await kfeed(['bench', 'produce', '--duration', '1', '--rate', '300', '--json']);
    expect(paced.code).toBe(0);
    const result = JSON.parse(paced.stdout) as ThroughputResult;
    expect(result.settings?.rate).toBe(300);
    expect(result.messages).toBeGreaterThan(0);
    expect(result.messages).toBeLessThanOrEqual(301);

    const interrupted = await kfeed(['bench', 'produce', '--duration', '60', '--rate', '1000', '--json'], {
      abortAfterMs: 4000,
    });
    expect(interrupted.code).toBe(130);
    const partial = JSON.parse(interrupted.stdout) as ThroughputResult;
    expect(partial.interrupted).toBe(true);
    expect(partial.messages).toBeGreaterThan(0);
    expect(partial.messages).toBeLessThan(60 * 1000);
    expect(partial.errors).toBe(0);
    expect(await topicNames()).not.toContain(partial.topic);
  });

  it('consume --keep-topic: reads exactly what kcat finds in the topic, in a time the clock outside bounds', async () => {
    const started = Date.now();
    const run = await kfeedBinary(['bench', 'consume', '-n', '4000', '--partitions', '3', '--keep-topic', '--json'], {
      timeoutMs: 90_000,
    });
    const outsideSeconds = (Date.now() - started) / 1000;
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ThroughputResult;
    expect(result).toMatchObject({ mode: 'consume', temporaryTopic: true, keptTopic: true, partitions: 3 });
    expectSaneThroughput(result, 4000, 200);
    // What the topic holds, read by librdkafka: the 4,000 records of 200 B over the 3 partitions.
    const read = await adminKcat(['-C', '-t', result.topic, '-e', '-q', '-f', '%p %S\n']);
    expect(read.code).toBe(0);
    const records = read.stdout.trim().split('\n');
    expect(records).toHaveLength(4000);
    expect(new Set(records.map((r) => r.split(' ')[1]))).toEqual(new Set(['200']));
    expect(new Set(records.map((r) => r.split(' ')[0]))).toEqual(new Set(['0', '1', '2']));
    // The filling is not timed; the reading is, and fits inside the process's life.
    expect(result.seconds).toBeLessThanOrEqual(outsideSeconds);
    expect(result.firstRecordMs).toBeGreaterThanOrEqual(0);
    expect(result.firstRecordMs! / 1000).toBeLessThanOrEqual(result.seconds);
    expect((await kfeed(['delete-topic', result.topic, '--yes'])).code).toBe(0);
  });

  it('consume without --keep-topic deletes its temporary topic', async () => {
    const run = await kfeed(['bench', 'consume', '-n', '300', '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ThroughputResult;
    expect(result).toMatchObject({ mode: 'consume', temporaryTopic: true, keptTopic: false, messages: 300 });
    expect(await topicNames()).not.toContain(result.topic);
  });

  it('consume --topic reads what kcat wrote to an existing topic and counts its real bytes', async () => {
    const topic = unique('bench-existing');
    expect((await kfeed(['create-topic', topic])).code).toBe(0);
    // Lines of different lengths, written by an independent producer.
    const lines = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(i * 3)}`);
    const written = await adminKcat(['-P', '-t', topic], { stdin: lines.join('\n') + '\n' });
    expect(written.code).toBe(0);
    const run = await kfeed(['bench', 'consume', '--topic', topic, '--json']);
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as ThroughputResult;
    expect(result).toMatchObject({ mode: 'consume', topic, temporaryTopic: false, messages: 50 });
    const bytes = lines.reduce((n, l) => n + Buffer.byteLength(l), 0);
    expect(result.bytes).toBe(bytes);
    expect(result.messageBytes).toBe(Math.round(bytes / 50)); // the real average, not --size
    // No producer ran: neither the JSON nor the human report shows producer settings.
    expect(result.settings).toBeNull();
    const human = await kfeed(['bench', 'consume', '--topic', topic]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(new RegExp(`^consume: 50 messages of ${Math.round(bytes / 50)} B in`));
    expect(human.stdout).not.toMatch(/producer/);
    // -n stops at exactly that many, the first ones of the (single) partition.
    const some = JSON.parse((await kfeed(['bench', 'consume', '--topic', topic, '-n', '20', '--json'])).stdout);
    expect(some).toMatchObject({ messages: 20, bytes: lines.slice(0, 20).reduce((n, l) => n + l.length, 0) });
    // The topic is the user's: still there, with all it held.
    const after = await adminKcat(['-C', '-t', topic, '-e', '-q', '-f', '%s\n']);
    expect(after.stdout.trim().split('\n')).toEqual(lines);
    expect((await kfeed(['delete-topic', topic, '--yes'])).code).toBe(0);
  });

  it('e2e: paced sending as the record timestamps show, every message in the topic received, ordered percentiles', async () => {
    const started = Date.now();
    const run = await kfeedBinary(
      [
        'bench',
        'e2e',
        '--rate',
        '400',
        '--duration',
        '2',
        '--warmup',
        '1',
        '--linger-ms',
        '0',
        '--keep-topic',
        '--json',
      ],
      { timeoutMs: 90_000 },
    );
    const outsideSeconds = (Date.now() - started) / 1000;
    expect(run.code).toBe(0);
    const result = JSON.parse(run.stdout) as LatencyResult;
    expect(result).toMatchObject({ mode: 'e2e', targetRate: 400, errors: 0, temporaryTopic: true, keptTopic: true });

    // The topic as librdkafka reads it: every record in it was received, none more.
    const read = await adminKcat(['-C', '-t', result.topic, '-e', '-q', '-f', '%T\n']);
    expect(read.code).toBe(0);
    const timestamps = read.stdout
      .trim()
      .split('\n')
      .map(Number)
      .sort((a, b) => a - b);
    expect(result.received).toBe(timestamps.length);
    expect(result.messages).toBe(result.received);
    // Pacing from the records' own times: sending spread over the 2 s and never ahead of 400/s
    // (record n is due n/400 s after the first; 20 ms for the clock's grain and batching).
    const span = (timestamps[timestamps.length - 1] - timestamps[0]) / 1000;
    expect(span).toBeGreaterThanOrEqual(1.5);
    // Record times are wall-clock (Date.now, whole ms), `seconds` is monotonic (performance.now):
    // here the two drift apart by a few ms (2.008 s against 2.0013 s seen once at load 9; 3.7 ms
    // of spread between them in 30 s, measured), so the same 20 ms allowance as above.
    expect(span).toBeLessThanOrEqual(result.seconds + 0.02);
    timestamps.forEach((ts, n) => expect(ts - timestamps[0]).toBeGreaterThanOrEqual((n * 1000) / 400 - 20));
    // --duration is the whole run, warm-up included (it once ran 3 s for --duration 2).
    expect(result.seconds).toBeGreaterThanOrEqual(2);
    expect(result.seconds).toBeLessThan(2.5);
    expect(result.seconds).toBeLessThanOrEqual(outsideSeconds);
    expect(result.received).toBeLessThanOrEqual(2 * 400 + 1);
    expect(result.sentPerSecond).toBeLessThanOrEqual(401);
    const l = result.latencyMs;
    expect(l.samples + result.warmupMessages).toBe(result.received);
    expect(l.samples).toBeGreaterThan(0);
    expect(result.warmupMessages).toBeGreaterThan(0);
    // Warm-up is the first second of sending: the records stamped in it, give or take the few
    // (20 ms at 400/s) on the edge between the run's clock and the record times.
    const firstSecond = timestamps.filter((ts) => ts - timestamps[0] < 1000).length;
    expect(Math.abs(result.warmupMessages - firstSecond)).toBeLessThanOrEqual(8);
    expect(l.min).toBeGreaterThanOrEqual(0);
    expect(l.min).toBeLessThanOrEqual(l.p50);
    expect(l.p50).toBeLessThanOrEqual(l.p95);
    expect(l.p95).toBeLessThanOrEqual(l.p99);
    expect(l.p99).toBeLessThanOrEqual(l.p999);
    expect(l.p999).toBeLessThanOrEqual(l.max);
    expect(l.max).toBeLessThan(outsideSeconds * 1000);
    expect(l.mean).toBeGreaterThan(0);
    expect((await kfeed(['delete-topic', result.topic, '--yes'])).code).toBe(0);

    const human = await kfeed(['bench', 'e2e', '--rate', '200', '--count', '300', '--warmup', '0']);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/^e2e: 300 messages of 200 B/);
    expect(human.stdout).toMatch(
      /latency ms\s+p50 [\d.]+\s+p95 [\d.]+\s+p99 [\d.]+\s+p99\.9 [\d.]+\s+max [\d.]+\s+\(300 samples\)/,
    );
  });

  it('refuses bad input with one line and the documented exit code', async () => {
    const cases: Array<[string[], number, RegExp]> = [
      [['bench', 'produce', '-n', '10', '--duration', '1'], 2, /--count and --duration exclude each other/],
      [['bench', 'produce', '--acks', '1'], 2, /--acks 1 needs --no-idempotent/],
      [['bench', 'produce', '--size', '10'], 2, new RegExp(`too small.*--size ${MIN_PAYLOAD_SIZE}`)],
      [['bench', 'produce', '--partitions', '0'], 2, /--partitions must be between 1/],
      [['bench', 'produce', '--topic', unique('absent')], 7, /does not exist/],
      [['bench', 'produce', '--topic', 'a', '--partitions', '3'], 2, /--partitions applies to the temporary topic/],
      [['bench', 'e2e', '--rate', '0'], 2, /needs a rate above 0/],
      [['bench', 'e2e', '--duration', '2', '--warmup', '2'], 2, /--warmup 2 leaves nothing of --duration 2 to measure/],
      [['bench', 'e2e', '--rate', 'fast'], 2, /--rate must be a number/],
      [['bench', 'consume', '--duration', '5'], 2, /unknown option '--duration'/],
      [['bench', 'produce', '--compression', 'zstd'], 2, /zstd.*invalid|invalid.*zstd/i],
      [['bench', 'produce', '--brokers', 'localhost:1', '-n', '1'], 4, /cannot reach localhost:1/],
      [['bench', 'fly'], 2, /unknown command 'fly'/],
      // -s is produce's --source everywhere; bench's size is only --size.
      [['bench', 'produce', '-s', '300'], 2, /unknown option '-s'/],
    ];
    for (const [args, code, message] of cases) expectFailure(await kfeed(args), code, message);
  });

  it('the built binary runs a bench and lists it in --help', async () => {
    const help = await kfeedBinary(['--help']);
    expect(help.stdout).toMatch(/bench\s+measure msg\/s/);
    const run = await kfeedBinary(['bench', 'produce', '-n', '500', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectSaneThroughput(JSON.parse(run.stdout) as ThroughputResult, 500, 200);
  });
});

describe('a failing bench is one line and deletes the temporary topic it made', () => {
  // A client of the suite's cluster (ACLs required) that may do anything to bench topics but
  // has no ACL on any consumer group: its consumers are refused when they join.
  let client: string[];
  beforeAll(async () => {
    const c = sharedCluster();
    const dir = tempDir('kfeed-bench-nogroup-');
    const cn = unique('bench-nogroup');
    expect((await kfeed(['makecsr', '--yes', '--cn', cn, '--out-dir', dir])).code).toBe(0);
    expect(
      (await kfeed(['issuecert', path.join(dir, 'client_cert.csr'), '--local-ca', path.dirname(c.caKey)])).code,
    ).toBe(0);
    const grant = await kfeed([
      'acl',
      'grant',
      '--principal',
      `User:CN=${cn}`,
      '--role',
      'all',
      '--topic',
      'kfeed-bench-',
      '--prefixed',
    ]);
    expect(grant.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'client_cert.pem'))).toBe(true);
    client = [
      '--brokers',
      c.tlsBrokers.join(','),
      '--ca',
      c.ca,
      '--cert',
      path.join(dir, 'client_cert.pem'),
      '--key',
      path.join(dir, 'private_key.pem'),
    ];
  });

  const benchTopics = async () => (await topicNames()).filter((t) => t.startsWith('kfeed-bench-')).sort();

  it.each([
    ['consume', ['bench', 'consume', '-n', '200']],
    ['e2e', ['bench', 'e2e', '--rate', '100', '--duration', '2']],
  ])('bench %s denied its consumer group', async (_mode, args) => {
    const before = await benchTopics();
    const result = await kfeedBinary([...args, ...client], { timeoutMs: 90_000 });
    // One line naming the group (exit 6, denied), no stack trace, no crash.
    expectFailure(result, 6, /group/i);
    expect(await benchTopics()).toEqual(before);
  });

  it('bench produce refused by the broker (records over its size limit), without building gigabytes first', async () => {
    // The built binary with a deadline: 1,024 distinct 2 MB messages were once built in one
    // synchronous loop that no signal could stop.
    const before = await benchTopics();
    const result = await kfeedBinary(['bench', 'produce', '-n', '2', '--size', '2000000', ...client], {
      timeoutMs: 60_000,
    });
    expectFailure(
      result,
      2,
      /^kfeed: the broker refused a record larger than it accepts .* — send smaller records, or raise max\.message\.bytes on the topic$/,
    );
    expect(await benchTopics()).toEqual(before);
  });
});
