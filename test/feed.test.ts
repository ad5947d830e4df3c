import { describe, expect, it } from 'vitest';
import { kfeed } from './helpers/run.js';
import { sharedCluster } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { waitFor } from './helpers/wait.js';
import type { BarEvent, MarketEvent, QuoteEvent, TradeEvent } from '../src/feed/schema.js';
import type { RecordJson } from '../src/feed/render/records.js';

import { unique } from './helpers/unique.js';
import { expectFailure } from './helpers/assert.js';

function tls() {
  const c = sharedCluster();
  return { ca: c.ca, cert: c.adminCert, key: c.adminKey };
}

async function createTopic(name: string, partitions = 1) {
  const created = await kfeed(['create-topic', name, '--partitions', String(partitions)]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
}

type JsonRecord = RecordJson;

const jsonLines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as JsonRecord);

/** Every record of `topics` so far, read back by `kfeed consume` with a group of its own. */
async function readBack(topics: string[]): Promise<JsonRecord[]> {
  const consumed = await kfeed([
    'consume',
    ...topics,
    '--from-beginning',
    '--exit-at-end',
    '-f',
    'json',
    '-g',
    unique('g'),
  ]);
  expect(consumed.code).toBe(0);
  return jsonLines(consumed.stdout);
}

describe('produce and consume over mTLS on the shared cluster', () => {
  it('stdin lines go in with keys and headers; kcat and every consume format read back the same records', async () => {
    const topic = unique('lines');
    await createTopic(topic, 3);
    const lines = Array.from({ length: 300 }, (_, i) => `k${i % 7}|value ${i} ünïcode {"n":${i}}`);
    const produced = await kfeed(['produce', '-t', topic, '-K', '|', '-H', 'origin=test', '-H', 'batch=1'], {
      stdin: lines.join('\n') + '\n',
    });
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    expect(produced.stdout).toMatch(
      new RegExp(`^produced 300 messages to ${topic} in \\d+\\.\\d{3} s \\(\\d+/s\\)\n$`),
    );

    // An independent client (librdkafka) sees the same count, keys and bytes.
    const read = await kcat(sharedCluster().tlsBrokers, tls(), ['-C', '-t', topic, '-e', '-q', '-f', '%k|%s\\n']);
    expect(read.code).toBe(0);
    expect(read.stdout.trim().split('\n').sort()).toEqual([...lines].sort());
    const headers = await kcat(sharedCluster().tlsBrokers, tls(), [
      '-C',
      '-t',
      topic,
      '-e',
      '-q',
      '-c',
      '1',
      '-f',
      '%h\\n',
    ]);
    expect(headers.stdout.trim()).toBe('origin=test,batch=1');

    const raw = await kfeed([
      'consume',
      topic,
      '--from-beginning',
      '--exit-at-end',
      '--format',
      'raw',
      '--group',
      unique('g'),
    ]);
    expect(raw.code).toBe(0);
    expect(raw.stderr).toMatch(/^consumed 300 messages in \d+\.\d{3} s \(\d+(\.\d+)?\/s\)\n$/);
    expect(raw.stdout.trim().split('\n').sort()).toEqual(lines.map((l) => l.slice(l.indexOf('|') + 1)).sort());
    expect(raw.stderr).toContain('consumed 300 messages');

    const json = await kfeed([
      'consume',
      '-t',
      topic,
      '--from-beginning',
      '--exit-at-end',
      '--json',
      '--group',
      unique('g'),
    ]);
    expect(json.code).toBe(0);
    const records = jsonLines(json.stdout);
    expect(records).toHaveLength(300);
    // Records of one key keep their order (one key, one partition).
    const ofKey = records.filter((r) => r.key === 'k3');
    const partitionsOfKey = new Set(ofKey.map((r) => r.partition));
    expect(partitionsOfKey.size).toBe(1);
    expect(ofKey.map((r) => Number(String(r.value).split(' ')[1]))).toEqual(
      lines
        .map((l, i) => [l, i] as const)
        .filter(([l]) => l.startsWith('k3|'))
        .map(([, i]) => i),
    );
    expect(records[0].headers).toEqual({ origin: 'test', batch: '1' });
    expect(Date.parse(records[0].timestamp)).toBeGreaterThan(Date.now() - 120_000);

    const line = await kfeed(['consume', topic, '--from-beginning', '--max-messages', '5', '--group', unique('g')]);
    expect(line.code).toBe(0);
    const printed = line.stdout.trim().split('\n');
    expect(printed).toHaveLength(5);
    for (const p of printed)
      expect(p).toMatch(new RegExp(`^${topic}:[0-2]:\\d+: value=value \\d+ ünïcode \\{"n":\\d+\\}$`));
  });

  it('--from-time returns exactly the records written at or after the time, as kcat -o s@<ms> does', async () => {
    const topic = unique('fromtime');
    await createTopic(topic, 3);
    const before = Array.from({ length: 30 }, (_, i) => `k${i % 5}:before ${i}`);
    const after = Array.from({ length: 30 }, (_, i) => `k${i % 5}:after ${i}`);
    expect((await kfeed(['produce', '-t', topic, '-K', ':'], { stdin: before.join('\n') })).code).toBe(0);
    // Every earlier record is stamped at or before now; the later ones strictly after `at`.
    const at = Date.now() + 1;
    await waitFor('the clock to pass the recorded time', () => (Date.now() > at ? true : undefined), 5_000, 1);
    expect((await kfeed(['produce', '-t', topic, '-K', ':'], { stdin: after.join('\n') })).code).toBe(0);

    const all = jsonLines(
      (await kfeed(['consume', topic, '--from-beginning', '--exit-at-end', '--json', '-g', unique('g')])).stdout,
    );
    expect(all).toHaveLength(60);
    const later = (values: string[]) => values.filter((v) => v.startsWith('after ')).sort();
    // The records' own timestamps split exactly where the two produce runs did.
    expect(
      all
        .filter((r) => Date.parse(r.timestamp) >= at)
        .map((r) => String(r.value))
        .sort(),
    ).toEqual(later(after.map((l) => l.split(':')[1])));

    const fromTime = await kfeed([
      'consume',
      topic,
      '--from-time',
      new Date(at).toISOString(),
      '--exit-at-end',
      '-f',
      'raw',
      '-g',
      unique('g'),
    ]);
    expect(fromTime.code).toBe(0);
    const got = fromTime.stdout.trim().split('\n').sort();
    expect(got).toEqual(later(after.map((l) => l.split(':')[1])));
    const read = await kcat(sharedCluster().tlsBrokers, tls(), [
      '-C',
      '-t',
      topic,
      '-o',
      `s@${at}`,
      '-e',
      '-q',
      '-f',
      '%s\\n',
    ]);
    expect(read.code).toBe(0);
    expect(read.stdout.trim().split('\n').sort()).toEqual(got);
  });

  it('a group continues where it stopped; --partition, --offset and --from-time pick the start', async () => {
    const topic = unique('positions');
    await createTopic(topic, 2);
    const lines = Array.from({ length: 40 }, (_, i) => `key${i % 9}:${i}`);
    expect((await kfeed(['produce', '-t', topic, '-K', ':'], { stdin: lines.join('\n') })).code).toBe(0);
    const group = unique('g');
    const first = await kfeed(['consume', topic, '--from-beginning', '-n', '15', '-f', 'raw', '-g', group]);
    // --from-beginning only matters where the group has no committed offset yet.
    const second = await kfeed(['consume', topic, '--from-beginning', '--exit-at-end', '-f', 'raw', '-g', group]);
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    const seen = [...first.stdout.trim().split('\n'), ...second.stdout.trim().split('\n')];
    expect(seen).toHaveLength(40);
    expect(new Set(seen).size).toBe(40);

    const all = jsonLines(
      (await kfeed(['consume', topic, '--from-beginning', '--exit-at-end', '--json', '-g', unique('g')])).stdout,
    );
    const fuller = all.filter((r) => r.partition === 1).length >= 7 ? 1 : 0;
    const fromOffset = await kfeed([
      'consume',
      topic,
      '--partition',
      String(fuller),
      '--offset',
      '3',
      '-n',
      '4',
      '--json',
      '-g',
      unique('g'),
    ]);
    expect(fromOffset.code).toBe(0);
    expect(jsonLines(fromOffset.stdout).map((r) => [r.partition, r.offset])).toEqual(
      [3, 4, 5, 6].map((o) => [fuller, o]),
    );
    expect(jsonLines(fromOffset.stdout).map((r) => r.value)).toEqual(
      all
        .filter((r) => r.partition === fuller)
        .slice(3, 7)
        .map((r) => r.value),
    );

    const future = await kfeed([
      'consume',
      topic,
      '--from-time',
      new Date(Date.now() + 3_600_000).toISOString(),
      '--exit-at-end',
      '-g',
      unique('g'),
    ]);
    expect(future.code).toBe(0);
    expect(future.stdout).toBe('');
    const past = await kfeed([
      'consume',
      topic,
      '--from-time',
      '2020-01-01T00:00:00Z',
      '--exit-at-end',
      '-f',
      'raw',
      '-g',
      unique('g'),
    ]);
    expect(past.stdout.trim().split('\n')).toHaveLength(40);

    const errors: Array<[string[], number, RegExp]> = [
      [['consume', unique('missing'), '--exit-at-end'], 7, /does not exist/],
      [['consume', topic, '--partition', '5', '--exit-at-end'], 2, /has no partition 5/],
      [['consume', topic, '--from-time', 'yesterday'], 2, /not an ISO 8601 time/],
      [['consume', topic, '--offset', '1', '--from-beginning'], 2, /exclude each other/],
      [['consume'], 2, /no topic given/],
      [['produce', '--source', 'stdin'], 2, /--topic is required/],
      [['produce', '-t', unique('missing')], 7, /does not exist/],
      [['consume', topic, '--from-time', '2025-02-30T00:00:00Z'], 2, /"2025-02-30T00:00:00Z" is not an ISO 8601 time/],
      [
        ['produce', '--source', 'sim', '--topic-prefix', `${unique('none')}.`],
        7,
        /^kfeed: topics \S+quote, \S+trade, \S+bar do not exist \(or this client may not describe them\) — create them: kfeed create-topic \S+quote; /,
      ],
      [
        ['produce', '-t', topic, '--kinds', 'trades'],
        2,
        /^kfeed: --kinds does not apply to --source stdin — it is an option of --source sim, --source alpaca$/m,
      ],
      [['produce', '--source', 'sim', '--kinds', 'trades,news'], 2, /^kfeed: --kinds: "news" is not a kind of record/m],
      // An empty -K would split nothing: every line would go without its key.
      [
        ['produce', '-t', topic, '-K', ''],
        2,
        /^kfeed: --key-separator is empty — pass the text between key and value/m,
      ],
      [['produce', '--source', 'sim', '--acks', '1'], 2, /^kfeed: --acks 1 needs --no-idempotent/m],
      [['consume', topic, '-p', '1', '--exit-at-end'], 2, /unknown option '-p'/],
      [
        ['consume', topic, '--count', '2', '--max-messages', '3'],
        2,
        /--count and --max-messages \(its old name\) disagree/,
      ],
      [
        ['produce', '--source', 'sim', '--symbols', ' , '],
        2,
        /--symbols names no symbol — give a comma-separated list, e\.g\. --symbols AAPL,MSFT/,
      ],
      [
        ['produce', '--source', 'alpaca', '--symbols', 'AAPL'],
        3,
        /Alpaca keys are not set — set APCA_API_KEY_ID and APCA_API_SECRET_KEY/,
      ],
      [
        ['produce', '--source', 'alpaca', '--symbols', 'AAPL', '--stream-url', 'stream.example.com'],
        2,
        /--stream-url must be a URL starting wss:\/\/ or ws:\/\/, such as wss:\/\//,
      ],
      [
        ['produce', '--source', 'twelvedata', '--symbols', 'AAPL', '--api-url', 'api.example.com'],
        2,
        /--api-url must be a URL starting https:\/\/ or http:\/\/, such as https:\/\//,
      ],
    ];
    for (const [args, code, message] of errors) {
      // Market keys, if the machine has any, must not change what these runs report.
      const result = await kfeed(args, {
        stdin: 'x\n',
        env: { APCA_API_KEY_ID: undefined, APCA_API_SECRET_KEY: undefined, TWELVE_DATA_KEY: undefined },
      });
      expectFailure(result, code, message, args);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
  });

  it('the simulated market streams realistic quotes, trades inside the spread and bars that agree with the trades', async () => {
    const prefix = `${unique('sim')}.`;
    for (const kind of ['quote', 'trade', 'bar']) await createTopic(`${prefix}${kind}`, 2);
    const produced = await kfeed([
      'produce',
      '--source',
      'sim',
      '--rate',
      '0',
      '--count',
      '3000',
      '--seed',
      '7',
      '--topic-prefix',
      prefix,
      '--json',
    ]);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    expect(JSON.parse(produced.stdout)).toMatchObject({ source: 'sim', sent: 3000, acknowledged: 3000, errors: 0 });

    const records = await readBack([`${prefix}quote`, `${prefix}trade`, `${prefix}bar`]);
    expect(records).toHaveLength(3000);
    for (const r of records) {
      const event = r.value as MarketEvent;
      expect(r.topic).toBe(`${prefix}${event.kind}`);
      expect(r.key).toBe(event.symbol);
      expect(r.headers.source).toBe('sim');
    }
    const events = records.map((r) => r.value as MarketEvent);
    const quotes = events.filter((e): e is QuoteEvent => e.kind === 'quote');
    const trades = events.filter((e): e is TradeEvent => e.kind === 'trade');
    const bars = events.filter((e): e is BarEvent => e.kind === 'bar');
    expect(quotes.length).toBeGreaterThan(1000);
    expect(trades.length).toBeGreaterThan(500);
    expect(bars.length).toBeGreaterThan(5);
    for (const q of quotes) {
      expect(q.bidPrice).toBeLessThan(q.askPrice);
      expect(q.bidSize).toBeGreaterThan(0);
      expect(typeof q.askSize).toBe('number');
      expect(q.eventTime).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
    const quoteAt = new Map(quotes.map((q) => [`${q.symbol}@${q.eventTime}`, q]));
    for (const t of trades) {
      const q = quoteAt.get(`${t.symbol}@${t.eventTime}`)!;
      expect(t.price).toBeGreaterThanOrEqual(q.bidPrice);
      expect(t.price).toBeLessThanOrEqual(q.askPrice);
    }
    for (const b of bars) {
      const start = Date.parse(b.eventTime);
      const inBar = trades
        .filter(
          (t) => t.symbol === b.symbol && Date.parse(t.eventTime) >= start && Date.parse(t.eventTime) < start + 60_000,
        )
        .sort((x, y) => Date.parse(x.eventTime) - Date.parse(y.eventTime));
      expect(inBar.length).toBe(b.tradeCount);
      expect(b.volume).toBe(inBar.reduce((sum, t) => sum + t.size!, 0));
      expect([b.open, b.close]).toEqual([inBar[0].price, inBar[inBar.length - 1].price]);
      expect(b.high).toBe(Math.max(...inBar.map((t) => t.price)));
      expect(b.low).toBe(Math.min(...inBar.map((t) => t.price)));
    }
  });

  it('--kinds quotes,trades sends only those, and needs no bar topic', async () => {
    const prefix = `${unique('kinds')}.`;
    for (const kind of ['quote', 'trade']) await createTopic(`${prefix}${kind}`);
    const produced = await kfeed([
      'produce',
      '--source',
      'sim',
      '--kinds',
      'quotes,trades',
      '--rate',
      '0',
      '--count',
      '500',
      '--topic-prefix',
      prefix,
      '--json',
    ]);
    expect(produced.stderr).toBe('');
    expect(produced.code).toBe(0);
    expect(JSON.parse(produced.stdout)).toMatchObject({ acknowledged: 500, errors: 0 });
    const kinds = (await readBack([`${prefix}quote`, `${prefix}trade`])).map((r) => (r.value as MarketEvent).kind);
    expect(kinds).toHaveLength(500);
    expect(new Set(kinds)).toEqual(new Set(['quote', 'trade']));
  });

  it('--rate is records per second, and the same --seed and --start-time give the same records', async () => {
    const prefixes = [`${unique('seed')}.`, `${unique('seed')}.`];
    for (const prefix of prefixes) for (const kind of ['quote', 'trade', 'bar']) await createTopic(`${prefix}${kind}`);
    const values: string[][] = [];
    for (const prefix of prefixes) {
      const args = [
        'produce',
        '--source',
        'sim',
        '--rate',
        '0',
        '--count',
        '3000',
        '--seed',
        '11',
        '--start-time',
        '2025-01-02T14:30:00Z',
        '--topic-prefix',
        prefix,
      ];
      expect((await kfeed(args)).code).toBe(0);
      const read = await kfeed([
        'consume',
        `${prefix}quote`,
        `${prefix}trade`,
        `${prefix}bar`,
        '--from-beginning',
        '--exit-at-end',
        '-f',
        'raw',
        '-g',
        unique('g'),
      ]);
      // receiveTime is the wall clock; every other byte must repeat.
      values.push(
        read.stdout
          .trim()
          .split('\n')
          .map((v) => v.replace(/"receiveTime":"[^"]*"/, ''))
          .sort(),
      );
    }
    expect(values[0]).toHaveLength(3000);
    expect(values[0].filter((v) => v.includes('"kind":"bar"')).length).toBeGreaterThan(3);
    expect(values[1]).toEqual(values[0]);

    const paced = await kfeed([
      'produce',
      '--source',
      'sim',
      '--rate',
      '100',
      '--duration',
      '2',
      '--topic-prefix',
      prefixes[0],
      '--json',
    ]);
    expect(paced.code).toBe(0);
    const summary = JSON.parse(paced.stdout) as { acknowledged: number; seconds: number };
    // 100 records/s is at most 100 per second of the run plus the first; events/s would give about 300.
    expect(summary.acknowledged).toBeLessThanOrEqual(Math.floor(summary.seconds * 100) + 1);
    expect(summary.acknowledged).toBeLessThanOrEqual(220);
    expect(summary.acknowledged).toBeGreaterThanOrEqual(150);
  });

  it('the ticker shows one row per symbol; off a terminal it prints plain snapshots', async () => {
    const prefix = `${unique('tick')}.`;
    for (const kind of ['quote', 'trade', 'bar']) await createTopic(`${prefix}${kind}`);
    expect(
      (
        await kfeed([
          'produce',
          '--source',
          'sim',
          '--rate',
          '0',
          '--count',
          '500',
          '--symbols',
          'AAA,BBB,CCC',
          '--topic-prefix',
          prefix,
        ])
      ).code,
    ).toBe(0);
    const ticker = await kfeed([
      'consume',
      `${prefix}quote`,
      `${prefix}trade`,
      '--from-beginning',
      '--exit-at-end',
      '-f',
      'ticker',
      '-g',
      unique('g'),
    ]);
    expect(ticker.code).toBe(0);
    expect(ticker.stdout).not.toContain('\x1b[');
    const table = ticker.stdout.slice(ticker.stdout.lastIndexOf('SYMBOL'));
    const rows = table.trim().split('\n');
    expect(rows[0]).toMatch(/^SYMBOL\s+LAST\s+BID\s+ASK\s+CHANGE\s+CHANGE%\s+VOLUME\s+AGE$/);
    expect(rows.slice(1, 4).map((r) => r.split(/\s+/)[0])).toEqual(['AAA', 'BBB', 'CCC']);
    for (const row of rows.slice(1, 4)) {
      const [, last, bid, ask] = row.split(/\s+/).map(Number);
      expect(bid).toBeLessThan(ask);
      expect(last).toBeGreaterThan(0);
    }
    expect(rows[4]).toMatch(/^\d+ updates/);
  });
});
