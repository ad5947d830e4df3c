// Measures the Parquet writers on the npm registry that run on Node 20, 22 and 24 without a
// native build (pure JavaScript or WebAssembly), on the work kfeed's S3 sink does: market
// records as consumed from Kafka (JSON values) -> one Parquet object with kfeed's columns.
//
//   cd bench/parquet-libs && npm install --no-audit --no-fund && node measure.mjs [--rows 100000]
//   npx -p node@24 node measure.mjs --libraries hyparquet-writer     # the same on another Node
//
// Every (library, codec, object size) runs in its own Node process, so that the RSS figures
// are that writer's alone, a few rounds each, interleaved; the median is reported. It writes
// bench/results/parquet-libs-<date>.md with the machine's load (uptime) before and after.
// The columns are the sink's (README: "Parquet columns"); where a library cannot express one
// (no nanosecond timestamps, no zstd), the table says so and it writes the nearest it has.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';

const HERE = import.meta.dirname;
const { values: args } = parseArgs({
  options: {
    rows: { type: 'string', default: '100000' },
    rounds: { type: 'string', default: '3' },
    libraries: { type: 'string' },
    one: { type: 'string' },
    codec: { type: 'string' },
    'object-rows': { type: 'string' },
    out: { type: 'string', default: path.resolve(HERE, '../results') },
  },
});
const ROWS = Number(args.rows);

// ---- the records: Alpaca-like quotes (nanosecond event times), as the consumer hands them over

function seeded(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'NVDA', 'GOOGL', 'TSLA', 'META', 'AMD'];
const EXCHANGES = 'VQNPZKJ';

function makeRecords(count) {
  const next = seeded(7);
  const mids = SYMBOLS.map((_, i) => 50 + i * 40);
  const start = Date.UTC(2025, 0, 2, 14, 30);
  const records = [];
  for (let i = 0; i < count; i++) {
    const s = Math.floor(next() * SYMBOLS.length);
    mids[s] = Math.max(1, mids[s] * (1 + (next() - 0.5) * 0.0008));
    const bid = Math.round(mids[s] * 100) / 100;
    const ms = start + i * 3;
    const nanos = String(Math.floor(next() * 1e6)).padStart(6, '0');
    const eventTime = new Date(ms).toISOString().replace('Z', `${nanos}Z`);
    const event = {
      kind: 'quote',
      symbol: SYMBOLS[s],
      asset: 'stock',
      eventTime,
      receiveTime: new Date(ms + 2).toISOString(),
      bidPrice: bid,
      bidSize: 100 * (1 + Math.floor(next() * 9)),
      askPrice: Math.round((bid + 0.01 + Math.floor(next() * 4) / 100) * 100) / 100,
      askSize: 100 * (1 + Math.floor(next() * 9)),
      bidExchange: EXCHANGES[Math.floor(next() * EXCHANGES.length)],
      askExchange: EXCHANGES[Math.floor(next() * EXCHANGES.length)],
      conditions: ['R'],
      tape: 'C',
    };
    records.push({
      topic: 'quote',
      partition: 0,
      offset: String(i),
      key: Buffer.from(SYMBOLS[s]),
      value: Buffer.from(JSON.stringify(event)),
      headers: { source: 'alpaca' },
      timestamp: String(ms + 3),
    });
  }
  return records;
}

/** What the JSON-lines sink writes for the same records: the reference for "MB". */
function jsonLine(r) {
  return (
    JSON.stringify({
      topic: r.topic,
      partition: r.partition,
      offset: Number(r.offset),
      key: r.key.toString(),
      headers: r.headers,
      timestamp: new Date(Number(r.timestamp)).toISOString(),
      value: JSON.parse(r.value.toString()),
    }) + '\n'
  );
}

// ---- the columns every writer gets (the sink's layout; quotes fill the quote columns)

const DOUBLES = ['bidPrice', 'bidSize', 'askPrice', 'askSize', 'price', 'size', 'open', 'high', 'low', 'close'];
const DOUBLES2 = ['volume', 'vwap'];
const STRINGS = ['kind', 'symbol', 'asset', 'bidExchange', 'askExchange', 'exchange', 'tradeId', 'takerSide', 'tape'];
const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

function nanosOf(text) {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(text);
  return BigInt(Date.parse(m[1] + m[3])) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0'));
}

function columnsOf(records) {
  const n = records.length;
  const c = {
    kafka_partition: new Int32Array(n),
    kafka_offset: new BigInt64Array(n),
    kafka_timestamp: new BigInt64Array(n),
    kafka_key: new Array(n),
    kafka_headers: new Array(n),
    event_time: new Array(n),
    receive_time: new Array(n),
    conditions: new Array(n),
    trade_count: new Array(n).fill(null),
    value: new Array(n).fill(null),
  };
  for (const f of [...DOUBLES, ...DOUBLES2, ...STRINGS]) c[snake(f)] = new Array(n).fill(null);
  for (let i = 0; i < n; i++) {
    const r = records[i];
    c.kafka_partition[i] = r.partition;
    c.kafka_offset[i] = BigInt(r.offset);
    c.kafka_timestamp[i] = BigInt(r.timestamp);
    c.kafka_key[i] = r.key === null ? null : r.key.toString();
    c.kafka_headers[i] = r.headers;
    const e = JSON.parse(r.value.toString());
    c.event_time[i] = nanosOf(e.eventTime);
    c.receive_time[i] = BigInt(Date.parse(e.receiveTime));
    c.conditions[i] = e.conditions ?? null;
    for (const f of [...DOUBLES, ...DOUBLES2, ...STRINGS]) if (e[f] !== undefined) c[snake(f)][i] = e[f];
  }
  return c;
}

const STRING_COLUMNS = ['kafka_key', ...STRINGS.map(snake), 'value'];
const DOUBLE_COLUMNS = [...DOUBLES, ...DOUBLES2].map(snake);

// ---- the writers

/** An Arrow vector of 64-bit values with nulls, built from its buffers. */
function bigintVector(arrow, type, values) {
  const data = new BigInt64Array(values.length);
  const valid = new Uint8Array(Math.ceil(values.length / 8));
  let nulls = 0;
  for (let i = 0; i < values.length; i++) {
    if (values[i] === null) nulls++;
    else {
      data[i] = values[i];
      valid[i >> 3] |= 1 << (i & 7);
    }
  }
  return arrow.makeVector(
    arrow.makeData({ type, length: values.length, nullCount: nulls, nullBitmap: nulls ? valid : null, data }),
  );
}

const WRITERS = {
  async 'hyparquet-writer'(codec) {
    const { ByteWriter, parquetWrite } = await import('hyparquet-writer');
    let compressors = {};
    if (codec === 'ZSTD') {
      // As the sink does (src/feed/sinks/parquet/writer.ts): one compression context for every page.
      const zstd = await import('@bokuweb/zstd-wasm');
      await zstd.init();
      const context = zstd.createCCtx();
      const none = new Uint8Array(0);
      compressors = { ZSTD: (bytes) => zstd.compressUsingDict(context, bytes, none, 3) };
    }
    const ts = (name, unit, repetition) => ({
      name,
      type: 'INT64',
      repetition_type: repetition,
      logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit },
    });
    const schema = [
      { name: 'root', num_children: 0 },
      { name: 'kafka_partition', type: 'INT32', repetition_type: 'REQUIRED' },
      { name: 'kafka_offset', type: 'INT64', repetition_type: 'REQUIRED' },
      ts('kafka_timestamp', 'MILLIS', 'REQUIRED'),
      { name: 'kafka_key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: 'kafka_headers', repetition_type: 'OPTIONAL', converted_type: 'MAP', num_children: 1 },
      { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
      { name: 'key', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
      { name: 'value', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      ts('event_time', 'NANOS', 'OPTIONAL'),
      ts('receive_time', 'MILLIS', 'OPTIONAL'),
      ...DOUBLE_COLUMNS.map((name) => ({ name, type: 'DOUBLE', repetition_type: 'OPTIONAL' })),
      { name: 'trade_count', type: 'INT64', repetition_type: 'OPTIONAL' },
      ...STRING_COLUMNS.filter((n) => n !== 'kafka_key').map((name) => ({
        name,
        type: 'BYTE_ARRAY',
        converted_type: 'UTF8',
        repetition_type: 'OPTIONAL',
      })),
      { name: 'conditions', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
      { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
      { name: 'element', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'REQUIRED' },
    ];
    const names = [
      'kafka_partition',
      'kafka_offset',
      'kafka_timestamp',
      'kafka_key',
      'kafka_headers',
      'event_time',
      'receive_time',
      ...DOUBLE_COLUMNS,
      'trade_count',
      ...STRING_COLUMNS.filter((n) => n !== 'kafka_key'),
      'conditions',
    ];
    schema[0].num_children = names.length;
    return (records) => {
      const c = columnsOf(records);
      const writer = new ByteWriter();
      parquetWrite({
        writer,
        schema,
        codec,
        compressors,
        rowGroupSize: 100_000,
        columnData: names.map((name) => ({
          name,
          data:
            name === 'kafka_headers'
              ? c.kafka_headers.map((h) => (h ? Object.entries(h).map(([key, value]) => ({ key, value })) : null))
              : c[name],
        })),
      });
      return new Uint8Array(writer.getBuffer());
    };
  },

  async 'parquet-wasm'(codec) {
    const arrow = await import('apache-arrow');
    const wasm = await import('parquet-wasm');
    // writeParquet takes ownership of the properties (wasm-bindgen moves them): new ones per object.
    const props = () =>
      new wasm.WriterPropertiesBuilder().setCompression(wasm.Compression[codec]).setMaxRowGroupSize(100_000).build();
    const utf8 = () => new arrow.Utf8();
    const tsNs = new arrow.TimestampNanosecond('UTC');
    const tsMs = new arrow.TimestampMillisecond('UTC');
    const list = new arrow.List(new arrow.Field('element', utf8(), false));
    const map = new arrow.Map_(
      new arrow.Field(
        'entries',
        new arrow.Struct([new arrow.Field('key', utf8(), false), new arrow.Field('value', utf8(), true)]),
        false,
      ),
    );
    return (records) => {
      const c = columnsOf(records);
      const vectors = {
        kafka_partition: arrow.makeVector(c.kafka_partition),
        kafka_offset: arrow.makeVector(c.kafka_offset),
        kafka_timestamp: arrow.vectorFromArray(Array.from(c.kafka_timestamp, Number), tsMs),
        kafka_key: arrow.vectorFromArray(c.kafka_key, utf8()),
        kafka_headers: arrow.vectorFromArray(
          c.kafka_headers.map((h) => (h ? new Map(Object.entries(h)) : null)),
          map,
        ),
        // Arrow's builder takes milliseconds for every unit: nanoseconds go in as raw data.
        event_time: bigintVector(arrow, tsNs, c.event_time),
        receive_time: arrow.vectorFromArray(Array.from(c.receive_time, Number), tsMs),
      };
      for (const name of DOUBLE_COLUMNS) vectors[name] = arrow.vectorFromArray(c[name], new arrow.Float64());
      vectors.trade_count = arrow.vectorFromArray(c.trade_count, new arrow.Int64());
      for (const name of STRING_COLUMNS.filter((n) => n !== 'kafka_key'))
        vectors[name] = arrow.vectorFromArray(c[name], utf8());
      vectors.conditions = arrow.vectorFromArray(c.conditions, list);
      const table = new arrow.Table(vectors);
      const ipc = arrow.tableToIPC(table, 'stream');
      const wasmTable = wasm.Table.fromIPCStream(ipc);
      return wasm.writeParquet(wasmTable, props());
    };
  },

  async '@dsnp/parquetjs'(codec) {
    const { ParquetSchema, ParquetWriter } = await import('@dsnp/parquetjs');
    const { Writable } = await import('node:stream');
    const compression = codec === 'UNCOMPRESSED' ? 'UNCOMPRESSED' : codec;
    const field = (type, extra = {}) => ({ type, optional: true, compression, ...extra });
    const fields = {
      kafka_partition: { type: 'INT32', compression },
      kafka_offset: { type: 'INT64', compression },
      kafka_timestamp: { type: 'TIMESTAMP_MILLIS', compression },
      kafka_key: field('UTF8'),
      // No MAP type: the headers as JSON text.
      kafka_headers: field('JSON'),
      // No nanosecond timestamps: microseconds, the finest it writes.
      event_time: field('TIMESTAMP_MICROS'),
      receive_time: field('TIMESTAMP_MILLIS'),
      trade_count: field('INT64'),
      conditions: { type: 'UTF8', repeated: true, compression },
    };
    for (const name of DOUBLE_COLUMNS) fields[name] = field('DOUBLE');
    for (const name of STRING_COLUMNS.filter((n) => n !== 'kafka_key')) fields[name] = field('UTF8');
    const schema = new ParquetSchema(fields);
    return async (records) => {
      const c = columnsOf(records);
      const chunks = [];
      const out = new Writable({
        write(chunk, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      });
      out.close = (done) => done?.();
      const writer = await ParquetWriter.openStream(schema, out, { rowGroupSize: 100_000 });
      for (let i = 0; i < records.length; i++) {
        const row = {};
        for (const name of Object.keys(fields)) {
          let v = c[name][i];
          if (v === null || v === undefined) continue;
          if (name === 'event_time') v = v / 1000n;
          else if (name === 'kafka_timestamp' || name === 'receive_time') v = new Date(Number(v));
          row[name] = v;
        }
        await writer.appendRow(row);
      }
      await writer.close();
      return Buffer.concat(chunks);
    };
  },
};

const CODECS = {
  'hyparquet-writer': ['ZSTD', 'SNAPPY', 'UNCOMPRESSED'],
  'parquet-wasm': ['ZSTD', 'SNAPPY', 'UNCOMPRESSED'],
  // No ZSTD in @dsnp/parquetjs.
  '@dsnp/parquetjs': ['SNAPPY', 'UNCOMPRESSED'],
};

// ---- one measurement (a child process)

async function measureOne(library, codec, objectRows) {
  const rssBefore = process.memoryUsage().rss;
  const loadStart = performance.now();
  const encode = await WRITERS[library](codec);
  const loadMs = performance.now() - loadStart;
  const records = makeRecords(ROWS);
  const jsonBytes = records.reduce((sum, r) => sum + Buffer.byteLength(jsonLine(r)), 0);
  // Warm-up on a small object (JIT, WebAssembly instantiation of the codec).
  await encode(records.slice(0, 500));
  globalThis.gc?.();
  const rssData = process.memoryUsage().rss;
  let peak = rssData;
  let bytes = 0;
  let objects = 0;
  let first;
  const began = performance.now();
  for (let at = 0; at < records.length; at += objectRows) {
    const body = await encode(records.slice(at, at + objectRows));
    first ??= body;
    bytes += body.byteLength;
    objects += 1;
    peak = Math.max(peak, process.memoryUsage().rss);
  }
  const ms = performance.now() - began;
  const { parquetMetadata } = await import('hyparquet');
  const rows = Number(
    parquetMetadata(first.buffer.slice(first.byteOffset, first.byteOffset + first.byteLength)).num_rows,
  );
  if (rows !== Math.min(objectRows, ROWS)) throw new Error(`${library} wrote ${rows} rows, not ${objectRows}`);
  return {
    library,
    codec,
    objectRows,
    objects,
    rows: records.length,
    ms,
    rowsPerSecond: records.length / (ms / 1000),
    jsonMBPerSecond: jsonBytes / 1e6 / (ms / 1000),
    bytes,
    jsonBytes,
    bytesPerRow: bytes / records.length,
    loadMs,
    rssBeforeMB: rssBefore / 2 ** 20,
    rssDataMB: rssData / 2 ** 20,
    rssPeakMB: peak / 2 ** 20,
    maxRssMB: process.resourceUsage().maxRSS / 1024,
  };
}

if (args.one) {
  const result = await measureOne(args.one, args.codec, Number(args['object-rows']));
  process.stdout.write(JSON.stringify(result) + '\n');
  process.exit(0);
}

// ---- the driver

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const uptime = () => spawnSync('uptime', { encoding: 'utf8' }).stdout.trim();
const version = (name) => JSON.parse(fs.readFileSync(path.join(HERE, 'node_modules', name, 'package.json'))).version;

const loadBefore = uptime();
const runs = [];
const LIBRARIES = args.libraries ? args.libraries.split(',') : Object.keys(WRITERS);
for (const objectRows of [ROWS, 1000]) {
  for (let round = 0; round < Number(args.rounds); round++) {
    for (const library of LIBRARIES) {
      for (const codec of CODECS[library]) {
        const child = spawnSync(
          process.execPath,
          [
            '--expose-gc',
            path.join(HERE, 'measure.mjs'),
            '--one',
            library,
            '--codec',
            codec,
            '--object-rows',
            String(objectRows),
            '--rows',
            String(ROWS),
          ],
          { encoding: 'utf8', maxBuffer: 1 << 24 },
        );
        if (child.status !== 0) throw new Error(`${library} ${codec}: ${child.stderr}`);
        const result = JSON.parse(child.stdout);
        runs.push(result);
        process.stderr.write(
          `${library} ${codec} ${objectRows}: ${Math.round(result.rowsPerSecond)} rows/s, ` +
            `${result.bytes} bytes, peak RSS ${result.rssPeakMB.toFixed(0)} MB\n`,
        );
      }
    }
  }
}
const loadAfter = uptime();

const groups = new Map();
for (const r of runs) {
  const id = `${r.library}|${r.codec}|${r.objectRows}`;
  groups.set(id, [...(groups.get(id) ?? []), r]);
}
const lines = [
  `# Parquet writers for the S3 sink: ${ROWS.toLocaleString('en')} Alpaca-like quotes`,
  '',
  `Measured ${new Date().toISOString()} with \`node bench/parquet-libs/measure.mjs\` on Node ${process.version}, ` +
    `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), median of ${args.rounds} rounds, ` +
    'each run in its own process.',
  '',
  `- load before: \`${loadBefore}\``,
  `- load after: \`${loadAfter}\``,
  `- libraries: ${LIBRARIES.join(', ')}`,
  `- versions: hyparquet-writer ${version('hyparquet-writer')}, parquet-wasm ${version('parquet-wasm')} ` +
    `with apache-arrow ${version('apache-arrow')}, @dsnp/parquetjs ${version('@dsnp/parquetjs')}, ` +
    `@bokuweb/zstd-wasm ${version('@bokuweb/zstd-wasm')} (zstd level 3 for hyparquet-writer)`,
  '',
  'Time covers what the sink does per object: parse the JSON values, build the columns, encode, ' +
    'compress. "JSON MB/s" is the JSON-lines bytes of the same records (what the jsonl sink writes) ' +
    'per second. RSS: before loading the library / with the records in memory / peak while writing.',
  '',
  '| library | codec | rows per object | rows/s | JSON MB/s | bytes/row | % of JSON lines | load ms | RSS MB (base / data / peak) |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|',
];
for (const [, group] of groups) {
  const r = group[0];
  const pick = (f) => median(group.map(f));
  lines.push(
    `| ${r.library} | ${r.codec} | ${r.objectRows.toLocaleString('en')} | ${Math.round(pick((x) => x.rowsPerSecond)).toLocaleString('en')} | ` +
      `${pick((x) => x.jsonMBPerSecond).toFixed(1)} | ${pick((x) => x.bytesPerRow).toFixed(1)} | ` +
      `${((100 * pick((x) => x.bytes)) / r.jsonBytes).toFixed(1)} % | ${pick((x) => x.loadMs).toFixed(0)} | ` +
      `${pick((x) => x.rssBeforeMB).toFixed(0)} / ${pick((x) => x.rssDataMB).toFixed(0)} / ${pick((x) => x.rssPeakMB).toFixed(0)} |`,
  );
}
lines.push('', `JSON lines: ${(runs[0].jsonBytes / ROWS).toFixed(1)} bytes/row.`, '');
fs.mkdirSync(args.out, { recursive: true });
const file = path.join(
  args.out,
  `parquet-libs-${new Date().toISOString().slice(0, 10)}-node${process.versions.node.split('.')[0]}.md`,
);
fs.writeFileSync(file, lines.join('\n'));
fs.writeFileSync(file.replace(/\.md$/, '.json'), JSON.stringify({ loadBefore, loadAfter, runs }, null, 2) + '\n');
process.stdout.write(lines.join('\n') + '\n');
process.stderr.write(`wrote ${file}\n`);
