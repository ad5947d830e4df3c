import { describe, expect, it } from 'vitest';
import { expectFailure } from '../helpers/assert.js';
import { kfeed } from '../helpers/run.js';
import type { ConsumedRecord } from '../../src/feed/consumer.js';
import { kindOfTopic, renderDdl, tableColumns, tableNameOf, type DdlInput } from '../../src/feed/sinks/ddl.js';
import { JSONL_FORMAT, hourRuns, objectFormat, parquetFormat } from '../../src/feed/sinks/formats.js';
import { eventHour, hiveKey, objectKey, parseObjectKey } from '../../src/feed/sinks/layouts.js';
import { COLUMNS, columnArrays, epochNanos, prepareRecord } from '../../src/feed/sinks/parquet/columns.js';

const location = { bucket: 'b', prefix: 'raw/' };

let offset = 0;
function record(
  value: unknown,
  options: { timestamp?: number; partition?: number; key?: string } = {},
): ConsumedRecord {
  return {
    topic: 'quote',
    partition: options.partition ?? 0,
    offset: String(offset++),
    key: options.key === undefined ? Buffer.from('AAPL') : Buffer.from(options.key),
    value: value === null ? null : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers: { source: 'alpaca' },
    timestamp: String(options.timestamp ?? Date.UTC(2025, 0, 2, 15, 0, 0, 5)),
  };
}

const quote = (eventTime: string, extra: Record<string, unknown> = {}) => ({
  kind: 'quote',
  symbol: 'AAPL',
  asset: 'stock',
  eventTime,
  receiveTime: '2025-01-02T14:30:00.124Z',
  bidPrice: 187.3,
  bidSize: 100,
  askPrice: 187.35,
  askSize: 200,
  bidExchange: 'V',
  askExchange: 'Q',
  conditions: ['R'],
  tape: 'C',
  ...extra,
});

describe('S3 object keys', () => {
  it('names a Parquet object by Hive partitions topic, date and hour, then partition and offsets', () => {
    expect(hiveKey(location, 'crypto_quote', 3, { date: '2025-01-02', hour: '07' }, '7', '123')).toBe(
      'raw/topic=crypto_quote/date=2025-01-02/hour=07/3-00000000000000000007-00000000000000000123.parquet',
    );
    expect(eventHour(Date.UTC(2025, 11, 31, 23, 59, 59, 999))).toEqual({ date: '2025-12-31', hour: '23' });
  });

  it('reads back the keys of both layouts, and nothing else', () => {
    expect(parseObjectKey(location, objectKey(location, 'a.b-c', 12, '2025-01-02', '5', '9'))).toEqual({
      topic: 'a.b-c',
      partition: 12,
      first: 5n,
      last: 9n,
    });
    expect(parseObjectKey(location, hiveKey(location, 'q', 1, { date: '2025-01-02', hour: '23' }, '0', '99'))).toEqual({
      topic: 'q',
      partition: 1,
      first: 0n,
      last: 99n,
    });
    for (const key of [
      'other/q/partition=0/date=2025-01-02/00000000000000000000-00000000000000000001.jsonl',
      'raw/q/partition=0/date=2025-01-02/0-1.jsonl',
      'raw/topic=q/date=2025-01-02/hour=1/0-00000000000000000000-00000000000000000001.parquet',
      'raw/topic=q/date=2025-01-02/hour=01/00000000000000000000-00000000000000000001.parquet',
      'raw/notes.txt',
      // As long as the prefix, but another one.
      'xyz/topic=q/date=2025-01-02/hour=01/0-00000000000000000000-00000000000000000001.parquet',
    ])
      expect(parseObjectKey(location, key), key).toBeUndefined();
  });
});

describe('event times', () => {
  it('keeps every digit up to nanoseconds, in UTC', () => {
    const second = BigInt(Date.UTC(2025, 0, 2, 14, 30, 0)) * 1_000_000n;
    expect(epochNanos('2025-01-02T14:30:00.123456789Z')).toBe(second + 123_456_789n);
    expect(epochNanos('2025-01-02T14:30:00.123Z')).toBe(second + 123_000_000n);
    expect(epochNanos('2025-01-02T14:30:00Z')).toBe(second);
    expect(epochNanos('2025-01-02t14:30:00.5z')).toBe(second + 500_000_000n);
    expect(epochNanos('2025-01-02T16:30:00.000000001+02:00')).toBe(second + 1n);
    // Digits past nanoseconds are cut, not rounded.
    expect(epochNanos('2025-01-02T14:30:00.1234567899Z')).toBe(second + 123_456_789n);
    expect(epochNanos('2025-01-02T09:00:00.25-05:30')).toBe(second + 250_000_000n);
    expect(epochNanos('2024-02-29T00:00:00Z')).toBe(BigInt(Date.UTC(2024, 1, 29)) * 1_000_000n);
    expect(epochNanos('0050-06-01T00:00:00Z')).toBe(BigInt(Date.parse('0050-06-01T00:00:00Z')) * 1_000_000n);
    for (const bad of [
      '2025-01-02',
      '2025-01-02T14:30:00',
      '2025-13-02T14:30:00Z',
      '2025-00-02T14:30:00Z',
      '2025-02-29T14:30:00Z',
      '2025-04-31T14:30:00Z',
      '2025-01-02T24:00:00Z',
      '2025-01-02T14:60:00Z',
      '2025-01-02T14:30:60Z',
      '2025-01-02T14:30:00+24:00',
      '2025-01-02T14:30:00.Z',
      1735828200000,
      undefined,
      '',
    ])
      expect(epochNanos(bad), String(bad)).toBeUndefined();
  });

  it('reads what Date.parse reads, to the millisecond, over many times and zones', () => {
    let seed = 7;
    const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const two = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < 2000; i++) {
      const zone = next(3) === 0 ? 'Z' : `${next(2) ? '+' : '-'}${two(next(24))}:${two(next(60))}`;
      const digits = String(next(1_000_000_000))
        .padStart(9, '0')
        .slice(0, 1 + next(9));
      const text = `${1900 + next(250)}-${two(1 + next(12))}-${two(1 + next(28))}T${two(next(24))}:${two(next(60))}:${two(next(60))}.${digits}${zone}`;
      const ms = Date.parse(text.replace(/\.(\d{1,3})\d*/, '.$1'));
      expect(epochNanos(text), text).toBe(BigInt(ms) * 1_000_000n + BigInt(digits.padEnd(9, '0').slice(3)));
    }
  });

  it('files a record by its event time, else by its Kafka timestamp', () => {
    const kafka = Date.UTC(2025, 5, 1, 9, 0, 0);
    expect(prepareRecord(record(quote('2025-01-02T14:30:00.123456789Z'), { timestamp: kafka })).fileMs).toBe(
      Date.UTC(2025, 0, 2, 14, 30, 0, 123),
    );
    expect(prepareRecord(record('not json', { timestamp: kafka })).fileMs).toBe(kafka);
    expect(prepareRecord(record(quote('yesterday'), { timestamp: kafka })).fileMs).toBe(kafka);
    expect(prepareRecord(record(null, { timestamp: kafka })).fileMs).toBe(kafka);
  });
});

describe('cutting a batch into objects', () => {
  it('JSON lines: one object for the batch, dated by the Kafka timestamp of its first record', () => {
    const records = [record({ n: 1 }), record({ n: 2 }, { timestamp: Date.UTC(2025, 0, 3) })];
    const [object, ...more] = JSONL_FORMAT.objects(location, 'quote', 0, records);
    expect(more).toEqual([]);
    expect(object.key).toBe(objectKey(location, 'quote', 0, '2025-01-02', records[0].offset, records[1].offset));
    expect(object.count).toBe(2);
    expect(
      String(object.body())
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).value),
    ).toEqual([{ n: 1 }, { n: 2 }]);
    expect(object.key.startsWith(JSONL_FORMAT.startPrefix(location, 'quote', 0, records[0]))).toBe(true);
  });

  it('Parquet: consecutive runs of one event hour, each named by its own first and last offset', async () => {
    const records = [
      record(quote('2025-01-02T14:59:59.999999999Z')),
      record(quote('2025-01-02T14:59:59.999999999Z')),
      record(quote('2025-01-02T15:00:00Z')),
      // A bar of the last minute comes after the hour turned: back to 14, an object of its own.
      record({ kind: 'bar', symbol: 'AAPL', asset: 'stock', eventTime: '2025-01-02T14:59:00Z', open: 1 }),
      record(quote('2025-01-02T15:00:01Z')),
      record('plain text', { timestamp: Date.UTC(2025, 0, 2, 15, 30) }),
    ];
    expect(hourRuns(records.map(prepareRecord)).map((run) => [run.hour.hour, run.rows.length])).toEqual([
      ['14', 2],
      ['15', 1],
      ['14', 1],
      ['15', 2],
    ]);
    const format = await parquetFormat('zstd');
    const objects = format.objects(location, 'quote', 0, records);
    const o = (i: number) => records[i].offset;
    expect(objects.map((x) => [x.key, x.count, x.last])).toEqual([
      [hiveKey(location, 'quote', 0, { date: '2025-01-02', hour: '14' }, o(0), o(1)), 2, o(1)],
      [hiveKey(location, 'quote', 0, { date: '2025-01-02', hour: '15' }, o(2), o(2)), 1, o(2)],
      [hiveKey(location, 'quote', 0, { date: '2025-01-02', hour: '14' }, o(3), o(3)), 1, o(3)],
      [hiveKey(location, 'quote', 0, { date: '2025-01-02', hour: '15' }, o(4), o(5)), 2, o(5)],
    ]);
    // The restart check lists where an object starting at a record would be.
    for (const [i, at] of [
      [0, 0],
      [1, 2],
      [2, 3],
      [3, 4],
    ])
      expect(objects[i].key.startsWith(format.startPrefix(location, 'quote', 0, records[at]))).toBe(true);
  });

  it('Parquet: the same records give the same bytes; the codecs give Parquet files', async () => {
    const records = Array.from({ length: 50 }, (_, i) =>
      record(quote(`2025-01-02T14:30:${String(i).padStart(2, '0')}Z`)),
    );
    for (const codec of ['zstd', 'snappy', 'none'] as const) {
      const format = await parquetFormat(codec);
      const [a] = format.objects(location, 'quote', 0, records);
      const [b] = (await parquetFormat(codec)).objects(location, 'quote', 0, records);
      const bytes = Buffer.from(a.body());
      expect(Buffer.from(b.body()).equals(bytes), codec).toBe(true);
      expect([bytes.subarray(0, 4).toString(), bytes.subarray(-4).toString()]).toEqual(['PAR1', 'PAR1']);
    }
  });
});

describe('Parquet columns', () => {
  it('a quote fills the quote columns; a trade, a bar and a non-market record theirs', () => {
    const rows = [
      record(quote('2025-01-02T14:30:00.123456789Z')),
      record({
        kind: 'trade',
        symbol: 'BTC/USD',
        asset: 'crypto',
        eventTime: '2025-01-02T14:30:00.5Z',
        receiveTime: '2025-01-02T14:30:00.6Z',
        price: 97000.5,
        size: 0.0123,
        tradeId: '42',
        takerSide: 'B',
      }),
      record({
        kind: 'bar',
        symbol: 'AAPL',
        asset: 'stock',
        eventTime: '2025-01-02T14:30:00Z',
        receiveTime: '2025-01-02T14:31:00.001Z',
        open: 1,
        high: '2.5',
        low: 0.5,
        close: 2,
        volume: 1000,
        tradeCount: 12,
        vwap: 1.7,
      }),
      record('{"n":1}', { key: 'k' }),
      record(null),
    ].map(prepareRecord);
    const c = columnArrays(rows);
    expect(Object.keys(c)).toEqual(COLUMNS.map((spec) => spec.name));
    const row = (i: number) =>
      Object.fromEntries(
        Object.entries(c)
          .filter(([, values]) => values[i] !== null)
          .map(([n, v]) => [n, v[i]]),
      );
    expect(row(0)).toEqual({
      kafka_topic: 'quote',
      kafka_partition: 0,
      kafka_offset: BigInt(rows[0].record.offset),
      kafka_timestamp: Date.UTC(2025, 0, 2, 15, 0, 0, 5),
      kafka_key: 'AAPL',
      kafka_headers: [{ key: 'source', value: 'alpaca' }],
      kind: 'quote',
      symbol: 'AAPL',
      asset: 'stock',
      event_time: BigInt(Date.UTC(2025, 0, 2, 14, 30)) * 1_000_000n + 123_456_789n,
      receive_time: Date.UTC(2025, 0, 2, 14, 30, 0, 124),
      bid_price: 187.3,
      bid_size: 100,
      ask_price: 187.35,
      ask_size: 200,
      bid_exchange: 'V',
      ask_exchange: 'Q',
      conditions: ['R'],
      tape: 'C',
    });
    expect(row(1)).toMatchObject({ kind: 'trade', price: 97000.5, size: 0.0123, trade_id: '42', taker_side: 'B' });
    expect(row(1).bid_price).toBeUndefined();
    // Numbers sent as text are read as numbers; counts are 64-bit integers.
    expect(row(2)).toMatchObject({
      kind: 'bar',
      open: 1,
      high: 2.5,
      low: 0.5,
      close: 2,
      volume: 1000,
      trade_count: 12n,
    });
    expect(row(3)).toEqual({
      kafka_topic: 'quote',
      kafka_partition: 0,
      kafka_offset: BigInt(rows[3].record.offset),
      kafka_timestamp: Date.UTC(2025, 0, 2, 15, 0, 0, 5),
      kafka_key: 'k',
      kafka_headers: [{ key: 'source', value: 'alpaca' }],
      value: '{"n":1}',
    });
    expect(row(4).value).toBeUndefined();
  });
});

describe('table definitions', () => {
  const input: DdlInput = {
    engine: 'athena',
    base: 's3://b/raw/',
    topic: 'crypto_quote',
    kind: 'quote',
    table: 'crypto_quote',
    since: 'NOW-1YEARS',
  };

  it('names tables and kinds after the topic', () => {
    expect(['quote', 'crypto_trade', 'prod.bars', 'feed-quote', 'foobar', 'prices'].map(kindOfTopic)).toEqual([
      'quote',
      'trade',
      'bar',
      'quote',
      'market',
      'market',
    ]);
    expect(['crypto_quote', 'prod.quote-v2', '1min'].map(tableNameOf)).toEqual([
      'crypto_quote',
      'prod_quote_v2',
      't_1min',
    ]);
  });

  it('a kind shows its columns with the Kafka coordinates and the value; generic shows no market column', () => {
    const names = (kind: DdlInput['kind']) => tableColumns(kind).map((spec) => spec.name);
    const kafka = ['kafka_topic', 'kafka_partition', 'kafka_offset', 'kafka_timestamp', 'kafka_key', 'kafka_headers'];
    const common = ['kind', 'symbol', 'asset', 'event_time', 'receive_time'];
    expect(names('generic')).toEqual([...kafka, 'value']);
    expect(names('trade')).toEqual([
      ...kafka,
      ...common,
      'price',
      'size',
      'exchange',
      'trade_id',
      'taker_side',
      'conditions',
      'tape',
      'value',
    ]);
    expect(names('bar')).toEqual([
      ...kafka,
      ...common,
      'open',
      'high',
      'low',
      'close',
      'volume',
      'trade_count',
      'vwap',
      'value',
    ]);
    expect(names('market')).toEqual(COLUMNS.map((spec) => spec.name));
  });

  it('Athena: an external Parquet table with projection on date and hour over the layout the sink writes', () => {
    const sql = renderDdl(input);
    expect(sql).toContain('CREATE EXTERNAL TABLE IF NOT EXISTS `crypto_quote` (\n  `kafka_topic` string,\n');
    expect(sql).toContain('  `event_time` timestamp,\n');
    expect(sql).toContain('  `bid_price` double,\n');
    expect(sql).toContain('  `conditions` array<string>,\n');
    expect(sql).toContain('  `kafka_headers` map<string,string>,\n');
    expect(sql).not.toContain('`price`');
    expect(sql).toContain(
      "PARTITIONED BY (`date` string, `hour` int)\nSTORED AS PARQUET\nLOCATION 's3://b/raw/topic=crypto_quote/'\n",
    );
    expect(sql).toContain("'projection.date.range' = 'NOW-1YEARS,NOW+1DAYS'");
    expect(sql).toContain("'projection.hour.digits' = '2'");
    // The template filled in is the folder of the sink's keys.
    const template = /'storage\.location\.template' = '([^']+)'/.exec(sql)![1];
    const key = hiveKey(location, 'crypto_quote', 0, { date: '2025-01-02', hour: '07' }, '1', '2');
    expect(`s3://b/${key}`.startsWith(template.replace('${date}', '2025-01-02').replace('${hour}', '07'))).toBe(true);
    expect(renderDdl({ ...input, table: 'analytics.quotes' })).toContain('EXISTS `analytics`.`quotes` (');
  });

  it("DuckDB: a view whose glob matches the sink's keys, with date and hour typed", () => {
    const sql = renderDdl({ ...input, engine: 'duckdb', base: "/data/it's/" });
    expect(sql).toContain('CREATE OR REPLACE VIEW "crypto_quote" AS\nSELECT\n  "kafka_topic",\n');
    expect(sql).toContain('  "value",\n  "date",\n  "hour"\nFROM read_parquet(\n');
    expect(sql).toContain("hive_types = {'date': DATE, 'hour': INTEGER}");
    expect(sql).not.toContain('httpfs');
    const glob = /read_parquet\(\n {2}'((?:[^']|'')+)'/.exec(sql)![1].replace(/''/g, "'");
    expect(glob).toBe("/data/it's/topic=crypto_quote/date=*/hour=*/*.parquet");
    const pattern = new RegExp(`^${glob.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`);
    const key = hiveKey(
      { bucket: '', prefix: "/data/it's/" },
      'crypto_quote',
      2,
      { date: '2025-01-02', hour: '23' },
      '1',
      '2',
    );
    expect(key).toMatch(pattern);
    expect(renderDdl({ ...input, engine: 'duckdb' })).toContain('CREATE SECRET (TYPE s3, PROVIDER credential_chain)');
  });
});

describe('flags of the Parquet sink and of sink ddl', () => {
  it('flags that do not fit are one line each', async () => {
    const topic = 'quote';
    expectFailure(
      await kfeed(['consume', topic, '--sink-format', 'parquet']),
      2,
      /--sink-format applies to the S3 sink/,
    );
    expectFailure(
      await kfeed(['consume', topic, '--sink', 's3://b', '--parquet-compression', 'snappy']),
      2,
      /--parquet-compression applies to Parquet objects — add --sink-format parquet/,
    );
    expectFailure(await kfeed(['consume', topic, '--sink', 's3://b', '--sink-format', 'orc']), 2, /--sink-format/);
    expectFailure(
      await kfeed(['sink', 'ddl', './here', '--topic', 'quote']),
      2,
      /"\.\/here" is not an S3 location — Athena reads S3/,
    );
    expectFailure(await kfeed(['sink', 'ddl', 's3://b/raw']), 2, /no topic given/);
    expectFailure(await kfeed(['sink', 'ddl', 's3://b/raw', '--topic', 'a b']), 2, /"a b" is not a valid topic name/);
    expectFailure(
      await kfeed(['sink', 'ddl', 's3://b', '--topic', 'q', '--table', 'x;drop']),
      2,
      /is not a table name/,
    );
    expectFailure(
      await kfeed(['sink', 'ddl', 's3://b', '--topic', 'q', '--since', 'yesterday']),
      2,
      /is not a date for --since/,
    );
  });

  it('sink ddl prints the table for a sink location, and --json says what it read', async () => {
    const athena = await kfeed([
      'sink',
      'ddl',
      's3://my-bucket/raw/',
      '--topic',
      'crypto_trade',
      '--since',
      '2025-01-01',
    ]);
    expect(athena.code).toBe(0);
    expect(athena.stdout).toContain("LOCATION 's3://my-bucket/raw/topic=crypto_trade/'");
    expect(athena.stdout).toContain("'projection.date.range' = '2025-01-01,NOW+1DAYS'");
    expect(athena.stdout).toContain('`price` double');
    const json = await kfeed(['sink', 'ddl', 'here', '--topic', 'q', '--engine', 'duckdb', '--json'], { cwd: '/data' });
    expect(JSON.parse(json.stdout)).toMatchObject({
      engine: 'duckdb',
      table: 'q',
      kind: 'market',
      location: '/data/here/topic=q/',
    });
  });
});

describe('table definitions, whole', () => {
  it('Athena: the exact statement for a quote topic', () => {
    expect(
      renderDdl({
        engine: 'athena',
        base: 's3://bucket/raw/',
        topic: 'crypto_quote',
        kind: 'quote',
        table: 'crypto_quote',
        since: '2025-01-01',
      }),
    ).toBe(
      [
        'CREATE EXTERNAL TABLE IF NOT EXISTS `crypto_quote` (',
        '  `kafka_topic` string,',
        '  `kafka_partition` int,',
        '  `kafka_offset` bigint,',
        '  `kafka_timestamp` timestamp,',
        '  `kafka_key` string,',
        '  `kafka_headers` map<string,string>,',
        '  `kind` string,',
        '  `symbol` string,',
        '  `asset` string,',
        '  `event_time` timestamp,',
        '  `receive_time` timestamp,',
        '  `bid_price` double,',
        '  `bid_size` double,',
        '  `ask_price` double,',
        '  `ask_size` double,',
        '  `bid_exchange` string,',
        '  `ask_exchange` string,',
        '  `conditions` array<string>,',
        '  `tape` string,',
        '  `value` string',
        ')',
        'PARTITIONED BY (`date` string, `hour` int)',
        'STORED AS PARQUET',
        "LOCATION 's3://bucket/raw/topic=crypto_quote/'",
        'TBLPROPERTIES (',
        "  'projection.enabled' = 'true',",
        "  'projection.date.type' = 'date',",
        "  'projection.date.format' = 'yyyy-MM-dd',",
        "  'projection.date.range' = '2025-01-01,NOW+1DAYS',",
        "  'projection.date.interval' = '1',",
        "  'projection.date.interval.unit' = 'DAYS',",
        "  'projection.hour.type' = 'integer',",
        "  'projection.hour.range' = '0,23',",
        "  'projection.hour.digits' = '2',",
        "  'storage.location.template' = 's3://bucket/raw/topic=crypto_quote/date=${date}/hour=${hour}/'",
        ');',
      ].join('\n') + '\n',
    );
  });

  it('DuckDB: the exact view for bar columns over S3', () => {
    expect(
      renderDdl({
        engine: 'duckdb',
        base: 's3://bucket/raw/',
        topic: 'crypto_quote',
        kind: 'bar',
        table: 'crypto_quote',
        since: 'NOW-1YEARS',
      }),
    ).toBe(
      [
        '-- kfeed Parquet sink, topic crypto_quote (bar columns), partitions date and hour of the event time',
        '-- S3 needs httpfs and credentials, e.g. CREATE SECRET (TYPE s3, PROVIDER credential_chain);',
        'CREATE OR REPLACE VIEW "crypto_quote" AS',
        'SELECT',
        '  "kafka_topic",',
        '  "kafka_partition",',
        '  "kafka_offset",',
        '  "kafka_timestamp",',
        '  "kafka_key",',
        '  "kafka_headers",',
        '  "kind",',
        '  "symbol",',
        '  "asset",',
        '  "event_time",',
        '  "receive_time",',
        '  "open",',
        '  "high",',
        '  "low",',
        '  "close",',
        '  "volume",',
        '  "trade_count",',
        '  "vwap",',
        '  "value",',
        '  "date",',
        '  "hour"',
        'FROM read_parquet(',
        "  's3://bucket/raw/topic=crypto_quote/date=*/hour=*/*.parquet',",
        '  hive_partitioning = true,',
        "  hive_types = {'date': DATE, 'hour': INTEGER}",
        ');',
      ].join('\n') + '\n',
    );
  });
});

describe('event times that are not RFC 3339, and edge cases', () => {
  it('refuses every malformed shape, zone and range; takes t, leap days and zones at their limits', () => {
    for (const bad of [
      '2025/01/02T14:30:00Z',
      '2025-01/02T14:30:00Z',
      '2025-01-02 14:30:00Z',
      '2025-01-02T14-30:00Z',
      '2025-01-02T14:30-00Z',
      '202a-01-02T14:30:00Z',
      '2025-01-02T14:30:0aZ',
      '2025-01-02T14:30:00',
      '2025-01-02T14:30:00.123',
      '2025-01-02T14:30:00ZZ',
      '2025-01-02T14:30:00Zx',
      '2025-01-02T14:30:00.5X',
      '2025-01-02T14:30:00+0100',
      '2025-01-02T14:30:00+01:00x',
      '2025-01-02T14:30:00+01-00',
      '2025-01-02T14:30:00*01:00',
      '2025-01-02T14:30:00+0a:00',
      '2025-01-02T14:30:00+a1:00',
      '2025-01-02T14:30:00+01:a0',
      '2025-01-02T14:30:00+01:0a',
      '2025-01-02T14:30:00+01:60',
      '2025-01-02T14:30:00+23:60',
      '2025-01-00T14:30:00Z',
      '1900-02-29T00:00:00Z',
      '2100-02-29T00:00:00Z',
      '2025-01-02T23:59:59',
    ])
      expect(epochNanos(bad), bad).toBeUndefined();
    const at = (text: string) => epochNanos(text)! / 1_000_000n;
    expect(at('2025-01-02t14:30:00Z')).toBe(BigInt(Date.UTC(2025, 0, 2, 14, 30)));
    expect(at('2000-02-29T00:00:00Z')).toBe(BigInt(Date.UTC(2000, 1, 29)));
    expect(at('2025-01-02T23:59:59+23:59')).toBe(BigInt(Date.UTC(2025, 0, 2, 0, 0, 59)));
    expect(at('2025-12-31T23:00:00-00:59')).toBe(BigInt(Date.UTC(2025, 11, 31, 23, 59)));
    expect(at('0099-12-31T23:59:59Z')).toBe(BigInt(Date.parse('0099-12-31T23:59:59Z')));
    expect(at('0100-01-01T00:00:00Z')).toBe(BigInt(Date.parse('0100-01-01T00:00:00Z')));
  });

  it('a time before year 0 in UTC has no date folder: the Kafka timestamp files it', () => {
    const kafka = Date.UTC(2025, 5, 1);
    expect(prepareRecord(record(quote('0000-01-01T00:00:00Z'), { timestamp: kafka })).fileMs).toBe(
      Date.parse('0000-01-01T00:00:00Z'),
    );
    expect(prepareRecord(record(quote('0000-01-01T00:30:00+01:00'), { timestamp: kafka })).fileMs).toBe(kafka);
  });
});

describe('Parquet column values from loose JSON', () => {
  it('numbers from text, text from numbers, nulls kept, lists of anything as text, counts only when whole', () => {
    const [row] = [
      record({
        kind: 'trade',
        symbol: 'X',
        asset: 'stock',
        eventTime: '2025-01-02T14:30:00Z',
        receiveTime: 'soon',
        price: ' 12.5 ',
        size: '',
        exchange: 7,
        tape: null,
        conditions: [1, 'R', null],
        tradeId: true,
      }),
    ].map(prepareRecord);
    const c = columnArrays([row]);
    expect([
      c.price[0],
      c.size[0],
      c.exchange[0],
      c.tape[0],
      c.conditions[0],
      c.trade_id[0],
      c.receive_time[0],
    ]).toEqual([12.5, null, '7', null, ['1', 'R', 'null'], 'true', null]);
    const bars = columnArrays(
      [
        { tradeCount: 7.5, volume: '   ' },
        { tradeCount: '7', volume: false },
      ].map((fields) =>
        prepareRecord(
          record({ kind: 'bar', symbol: 'X', asset: 'stock', eventTime: '2025-01-02T14:30:00Z', ...fields }),
        ),
      ),
    );
    expect([bars.trade_count, bars.volume]).toEqual([
      [null, 7n],
      [null, null],
    ]);
  });

  it('headers: each row its own, whether they change in value, in number of keys, or not at all', () => {
    const headers: Array<Record<string, string>> = [
      { source: 'a' },
      { source: 'a' },
      { source: 'b' },
      { source: 'b', x: '1' },
      { source: 'b' },
      {},
    ];
    const rows = headers.map((headers) => prepareRecord({ ...record('v'), headers }));
    const c = columnArrays(rows);
    expect(c.kafka_headers).toEqual([
      [{ key: 'source', value: 'a' }],
      [{ key: 'source', value: 'a' }],
      [{ key: 'source', value: 'b' }],
      [
        { key: 'source', value: 'b' },
        { key: 'x', value: '1' },
      ],
      [{ key: 'source', value: 'b' }],
      [],
    ]);
    expect(columnArrays([prepareRecord({ ...record('v'), key: null })]).kafka_key).toEqual([null]);
  });
});

describe('choosing the format', () => {
  it('jsonl is the JSON-lines format; parquet defaults to zstd', async () => {
    expect(await objectFormat({ format: 'jsonl' })).toBe(JSONL_FORMAT);
    expect(JSONL_FORMAT.contentType).toBe('application/x-ndjson');
    const parquet = await objectFormat({ format: 'parquet' });
    expect([parquet.name, parquet.contentType]).toEqual(['parquet', 'application/vnd.apache.parquet']);
    const records = [record(quote('2025-01-02T14:30:00Z'))];
    const body = (format: typeof parquet) => Buffer.from(format.objects(location, 'quote', 0, records)[0].body());
    expect(body(parquet).equals(body(await parquetFormat('zstd')))).toBe(true);
    expect(body(parquet).equals(body(await parquetFormat('snappy')))).toBe(false);
    expect(
      body(await objectFormat({ format: 'parquet', compression: 'snappy' })).equals(
        body(await parquetFormat('snappy')),
      ),
    ).toBe(true);
  });
});
