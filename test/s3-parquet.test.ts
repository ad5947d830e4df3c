import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { expectFailure } from './helpers/assert.js';
import { duckdb } from './helpers/duckdb.js';
import { tempDir } from './helpers/env.js';
import { motoS3, startMoto, type Moto } from './helpers/moto.js';
import { kfeed } from './helpers/run.js';
import { downloadObjects, listObjects, sinkKilledMidStream, type Listed } from './helpers/s3-sink.js';
import { unique } from './helpers/unique.js';

let moto: Moto;
let s3: S3Client;

beforeAll(async () => {
  moto = await startMoto();
  s3 = motoS3(moto);
});

afterAll(async () => {
  await moto?.stop();
});

/** A folder for this test's downloads, removed when the test ends, pass or fail. */
function workDir(): string {
  const dir = tempDir('kfeed-parquet-');
  onTestFinished(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const KEY = /^(.*)topic=([^/]+)\/date=(\d{4}-\d\d-\d\d)\/hour=(\d\d)\/(\d+)-(\d{20})-(\d{20})\.parquet$/;

/** The Parquet keys read as the README documents them. */
function parquetKeys(listed: Listed[]) {
  return listed.map((o) => {
    const m = KEY.exec(o.key);
    if (!m) throw new Error(`not a Parquet sink key: ${o.key}`);
    return {
      ...o,
      topic: m[2],
      date: m[3],
      hour: m[4],
      partition: Number(m[5]),
      first: BigInt(m[6]),
      last: BigInt(m[7]),
    };
  });
}

/** Records the keys say they hold (offsets first..last). */
const keyedRecords = (keys: ReturnType<typeof parquetKeys>) =>
  keys.reduce((sum, k) => sum + Number(k.last - k.first + 1n), 0);

/** The objects of each partition hold its offsets 0..high-1, each once, one object after the other. */
function expectTiled(keys: ReturnType<typeof parquetKeys>, highs: number[]) {
  for (const [partition, high] of highs.entries()) {
    const mine = keys.filter((k) => k.partition === partition).sort((a, b) => Number(a.first - b.first));
    expect(mine.map((k) => [k.first, k.last]).flat(), `partition ${partition}`).toEqual(
      mine.flatMap((k, i) => [i === 0 ? 0n : mine[i - 1].last + 1n, k.last]),
    );
    expect(mine.at(-1)?.last ?? -1n, `partition ${partition}`).toBe(BigInt(high - 1));
  }
}

/** An RFC 3339 time as nanoseconds since the epoch (the test's own reading of the JSON). */
function nanos(text: string): string {
  const [, whole, fraction = ''] = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(text)!;
  return (BigInt(Date.parse(`${whole}Z`)) * 1_000_000n + BigInt(fraction.padEnd(9, '0').slice(0, 9))).toString();
}

/** README "Parquet columns": the market schema's fields and their columns. */
const FIELDS: Record<string, string> = {
  kind: 'kind',
  symbol: 'symbol',
  asset: 'asset',
  bidPrice: 'bid_price',
  bidSize: 'bid_size',
  askPrice: 'ask_price',
  askSize: 'ask_size',
  bidExchange: 'bid_exchange',
  askExchange: 'ask_exchange',
  price: 'price',
  size: 'size',
  exchange: 'exchange',
  tradeId: 'trade_id',
  takerSide: 'taker_side',
  conditions: 'conditions',
  tape: 'tape',
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  tradeCount: 'trade_count',
  vwap: 'vwap',
};

/** The column types DuckDB reports for every object (README "Parquet columns"). */
const DUCKDB_TYPES = {
  kafka_topic: 'VARCHAR',
  kafka_partition: 'INTEGER',
  kafka_offset: 'BIGINT',
  kafka_timestamp: 'TIMESTAMP WITH TIME ZONE',
  kafka_key: 'VARCHAR',
  kafka_headers: 'MAP(VARCHAR, VARCHAR)',
  kind: 'VARCHAR',
  symbol: 'VARCHAR',
  asset: 'VARCHAR',
  event_time: 'TIMESTAMPTZ_NS',
  receive_time: 'TIMESTAMP WITH TIME ZONE',
  bid_price: 'DOUBLE',
  bid_size: 'DOUBLE',
  ask_price: 'DOUBLE',
  ask_size: 'DOUBLE',
  bid_exchange: 'VARCHAR',
  ask_exchange: 'VARCHAR',
  price: 'DOUBLE',
  size: 'DOUBLE',
  exchange: 'VARCHAR',
  trade_id: 'VARCHAR',
  taker_side: 'VARCHAR',
  conditions: 'VARCHAR[]',
  tape: 'VARCHAR',
  open: 'DOUBLE',
  high: 'DOUBLE',
  low: 'DOUBLE',
  close: 'DOUBLE',
  volume: 'DOUBLE',
  trade_count: 'BIGINT',
  vwap: 'DOUBLE',
  value: 'VARCHAR',
};

const sqlPath = (p: string) => `'${p.replace(/'/g, "''")}'`;

/** Every Parquet file under a folder, as the files hold them (no columns from the path). */
const filesIn = (dir: string) => `read_parquet(${sqlPath(`${dir}/**/*.parquet`)}, hive_partitioning = false)`;

/** What DuckDB reads from every Parquet file under a folder: column name -> type. */
async function fileTypes(dir: string): Promise<Record<string, string>> {
  const rows = await duckdb(`DESCRIBE SELECT * FROM ${filesIn(dir)}`);
  return Object.fromEntries(rows.map((r) => [r.column_name, r.column_type]));
}

/** Columns as plain JSON values: times as epoch numbers (nanoseconds as text, beyond 2^53). */
const PLAIN_SELECT = `
  kafka_topic, kafka_partition, kafka_offset, epoch_ms(kafka_timestamp) AS kafka_timestamp_ms, kafka_key,
  kafka_headers, CAST(epoch_ns(event_time) AS VARCHAR) AS event_time_ns, epoch_ms(receive_time) AS receive_time_ms,
  ${Object.values(FIELDS).join(', ')}, value`;

describe('the S3 sink writing Parquet, read back by DuckDB', () => {
  it('a sim market across an hour, the sink killed with SIGKILL and restarted: every offset once, equal to the JSON sink, and the DuckDB view of `sink ddl` counts them', async () => {
    const topic = unique('pqkill');
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
    const bucket = unique('pq');
    const group = unique('pqsink');
    const sinkArgs = [
      'consume',
      topic,
      '--from-beginning',
      '-g',
      group,
      '--sink',
      `s3://${bucket}/raw`,
      '--sink-format',
      'parquet',
      '--create-bucket',
      '--object-records',
      '150',
      '--object-seconds',
      '1',
    ];

    // Event times cross 15:00 three seconds in (1,500 records per simulated second).
    const { highs, output } = await sinkKilledMidStream({
      topic,
      sinkArgs,
      env: moto.env,
      marketArgs: ['--start-time', '2025-01-02T14:59:57Z'],
      written: async () => (await listObjects(s3, bucket, 'raw/')).length,
      stored: async () => keyedRecords(parquetKeys(await listObjects(s3, bucket, 'raw/'))),
    });
    expect(output).toContain(
      `writing to s3://${bucket}/raw in consumer group ${group} (Parquet (zstd) objects of up to 150 records or 1 s)`,
    );

    // The keys: Hive partitions; each object one hour; offsets of a partition tiled once.
    const keys = parquetKeys(await listObjects(s3, bucket, 'raw/'));
    expect(new Set(keys.map((k) => `${k.topic} ${k.date} ${k.hour}`))).toEqual(
      new Set([`${topic} 2025-01-02 14`, `${topic} 2025-01-02 15`]),
    );
    expectTiled(keys, highs);

    // The JSON sink over the same records, for the values.
    const json = await kfeed(
      [
        'consume',
        topic,
        '--from-beginning',
        '--exit-at-end',
        '-g',
        unique('jsonsink'),
        '--sink',
        `s3://${bucket}/json`,
        '--object-records',
        '10000',
        '--json',
      ],
      { env: moto.env },
    );
    expect(json.code).toBe(0);
    const lines: Array<{
      partition: number;
      offset: number;
      key: string;
      headers: Record<string, string>;
      timestamp: string;
      value: Record<string, unknown> & { eventTime: string; receiveTime: string };
    }> = [];
    for (const o of await listObjects(s3, bucket, 'json/')) {
      const dir = workDir();
      await downloadObjects(s3, bucket, o.key, dir);
      for (const line of fs.readFileSync(path.join(dir, o.key), 'utf8').trim().split('\n'))
        lines.push(JSON.parse(line));
    }
    expect(lines).toHaveLength(9000);

    const dir = workDir();
    await downloadObjects(s3, bucket, 'raw/', dir);
    expect(await fileTypes(dir)).toEqual(DUCKDB_TYPES);

    // `kfeed sink ddl --engine duckdb` over the downloaded copy: the view counts every record once.
    const ddl = await kfeed([
      'sink',
      'ddl',
      path.join(dir, 'raw'),
      '--topic',
      topic,
      '--engine',
      'duckdb',
      '--kind',
      'market',
    ]);
    expect(ddl.code).toBe(0);
    const view = `"${topic.replace(/[^A-Za-z0-9_]/g, '_')}"`;
    const [counted] = await duckdb(
      `${ddl.stdout}\nSELECT count(*) AS n, count(DISTINCT (kafka_partition, kafka_offset)) AS offsets FROM ${view}`,
    );
    expect(counted).toEqual({ n: 9000, offsets: 9000 });
    const viewTypes = await duckdb(`${ddl.stdout}\nDESCRIBE ${view}`);
    expect(viewTypes.filter((r) => ['date', 'hour'].includes(r.column_name as string))).toEqual([
      expect.objectContaining({ column_name: 'date', column_type: 'DATE' }),
      expect.objectContaining({ column_name: 'hour', column_type: 'INTEGER' }),
    ]);

    // Row by row, what DuckDB reads equals what the JSON sink wrote; each row sits in its event hour.
    const rows = await duckdb(
      `${ddl.stdout}\nSELECT ${PLAIN_SELECT}, CAST("date" AS VARCHAR) AS date, "hour" FROM ${view} ORDER BY kafka_partition, kafka_offset`,
    );
    const expected = lines
      .sort((a, b) => a.partition - b.partition || a.offset - b.offset)
      .map((l) => {
        const at = new Date(Date.parse(l.value.eventTime)).toISOString();
        return {
          kafka_topic: topic,
          kafka_partition: l.partition,
          kafka_offset: l.offset,
          kafka_timestamp_ms: Date.parse(l.timestamp),
          kafka_key: l.key,
          kafka_headers: l.headers,
          event_time_ns: nanos(l.value.eventTime),
          receive_time_ms: Date.parse(l.value.receiveTime),
          ...Object.fromEntries(Object.entries(FIELDS).map(([field, column]) => [column, l.value[field] ?? null])),
          value: null,
          date: at.slice(0, 10),
          hour: Number(at.slice(11, 13)),
        };
      });
    expect(rows).toHaveLength(9000);
    for (let i = 0; i < rows.length; i += 500) expect(rows.slice(i, i + 500)).toEqual(expected.slice(i, i + 500));
    // Six simulated seconds: quotes and trades (bars need a simulated minute; the next test has one).
    expect(new Set(rows.map((r) => r.kind))).toEqual(new Set(['quote', 'trade']));
  });

  it('keeps nanoseconds and records outside the market schema; each codec; the same records give the same key and bytes; another group is refused', async () => {
    const topic = unique('pqnanos');
    expect((await kfeed(['create-topic', topic, '--partitions', '1'])).code).toBe(0);
    const values = [
      {
        kind: 'quote',
        symbol: 'BTC/USD',
        asset: 'crypto',
        eventTime: '2025-03-03T14:30:00.123456789Z',
        receiveTime: '2025-03-03T14:30:00.200Z',
        bidPrice: 97000.12,
        bidSize: 0.25,
        askPrice: 97001.5,
        askSize: 1.5,
        conditions: ['R'],
        tape: 'C',
      },
      {
        kind: 'trade',
        symbol: 'FAKEPACA',
        asset: 'stock',
        eventTime: '2025-03-03T14:30:00.999999999Z',
        receiveTime: '2025-03-03T14:30:01.001Z',
        price: 12.34,
        size: 100,
        exchange: 'V',
        tradeId: '52983525029461',
      },
      {
        kind: 'bar',
        symbol: 'FAKEPACA',
        asset: 'stock',
        eventTime: '2025-03-03T14:30:00Z',
        receiveTime: '2025-03-03T14:31:00.010Z',
        open: 12,
        high: 12.5,
        low: 11.9,
        close: 12.3,
        volume: 1200,
        tradeCount: 7,
        vwap: 12.21,
      },
    ].map((v) => JSON.stringify(v));
    const lines = [...values, 'plain text from stdin', '{"n":1}'];
    expect((await kfeed(['produce', '-t', topic], { stdin: lines.join('\n') })).code).toBe(0);
    const bucket = unique('pqnanos');
    const sink = (group: string, prefix: string, extra: string[] = []) =>
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
          '--sink-format',
          'parquet',
          '--create-bucket',
          '--object-records',
          '2',
          '--json',
          ...extra,
        ],
        { env: moto.env },
      );

    const group = unique('g');
    const once = await sink(group, 'zstd');
    expect(once.stderr).toBe('');
    expect(once.code).toBe(0);
    expect(JSON.parse(once.stdout)).toMatchObject({ records: 5, recovered: 0 });
    const written = await listObjects(s3, bucket, 'zstd/');
    // Batches of two, cut at the hour: the market records are of 14:30 on 2025-03-03, the others of now.
    const keys = parquetKeys(written);
    expect(keys.map((k) => [k.date, k.hour, k.first, k.last]).slice(0, 2)).toEqual([
      ['2025-03-03', '14', 0n, 1n],
      ['2025-03-03', '14', 2n, 2n],
    ]);
    expect(keyedRecords(keys)).toBe(5);
    for (const o of written) {
      const head = await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: o.key }));
      expect(head.Metadata).toEqual({ 'kfeed-group': group });
    }

    const dir = workDir();
    await downloadObjects(s3, bucket, 'zstd/', dir);
    expect(await fileTypes(dir)).toEqual(DUCKDB_TYPES);
    const rows = await duckdb(`SELECT ${PLAIN_SELECT} FROM ${filesIn(dir)} ORDER BY kafka_offset`);
    expect(rows.map((r) => r.event_time_ns)).toEqual([
      nanos('2025-03-03T14:30:00.123456789Z'),
      nanos('2025-03-03T14:30:00.999999999Z'),
      nanos('2025-03-03T14:30:00Z'),
      null,
      null,
    ]);
    expect(rows[0]).toMatchObject({
      kind: 'quote',
      bid_price: 97000.12,
      bid_size: 0.25,
      conditions: ['R'],
      value: null,
    });
    expect(rows[1]).toMatchObject({ kind: 'trade', price: 12.34, size: 100, trade_id: '52983525029461' });
    expect(rows[2]).toMatchObject({ kind: 'bar', high: 12.5, trade_count: 7, vwap: 12.21, price: null });
    expect(rows.slice(3).map((r) => [r.kind, r.symbol, r.value, r.kafka_offset])).toEqual([
      [null, null, 'plain text from stdin', 3],
      [null, null, '{"n":1}', 4],
    ]);

    // --parquet-compression: what the files say they hold.
    const codecs = async (prefix: string) => {
      const here = workDir();
      await downloadObjects(s3, bucket, `${prefix}/`, here);
      const found = await duckdb(
        `SELECT DISTINCT compression FROM parquet_metadata(${sqlPath(`${here}/**/*.parquet`)}) ORDER BY 1`,
      );
      return found.map((r) => r.compression);
    };
    expect(await codecs('zstd')).toEqual(['ZSTD']);
    for (const [codec, name] of [
      ['snappy', 'SNAPPY'],
      ['none', 'UNCOMPRESSED'],
    ]) {
      const run = await sink(unique('g'), codec, ['--parquet-compression', codec]);
      expect([run.code, JSON.parse(run.stdout).records]).toEqual([0, 5]);
      expect(await codecs(codec)).toEqual([name]);
    }

    // The group losing its commits re-reads everything: the first object is found, the rest rewritten identically.
    expect((await kfeed(['group', 'delete', group, '--yes'])).code).toBe(0);
    const again = await sink(group, 'zstd');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ records: 3, recovered: 2 });
    expect((await listObjects(s3, bucket, 'zstd/')).sort((a, b) => a.key.localeCompare(b.key))).toEqual(
      written.sort((a, b) => a.key.localeCompare(b.key)),
    );

    // Another group would store every record again: refused, with the object that says so.
    const other = unique('g');
    expectFailure(
      await sink(other, 'zstd'),
      8,
      new RegExp(
        `^kfeed: s3://${bucket}/zstd/ holds objects of consumer group ${group} \\(zstd/topic=${topic}/date=\\S+/hour=\\d\\d/0-\\d{20}-\\d{20}\\.parquet\\) — give group ${other} its own prefix, or run this sink in group ${group}$`,
      ),
    );
  });
});
