/**
 * What the S3 sink writes for a partition's buffered records: which objects (keys) and their
 * bytes. The sink (s3.ts) owns what makes it exactly once (buffers, restart check, commits,
 * group metadata); a format only cuts, names and encodes, and names the same records the
 * same way every time.
 */
import type { ConsumedRecord } from '../consumer.js';
import { recordJson } from '../render/records.js';
import { eventHour, hiveKey, hiveStart, jsonlStart, objectKey, type EventHour } from './layouts.js';
import type { PreparedRecord } from './parquet/columns.js';
import type { ParquetCompression } from './parquet/writer.js';
import type { S3Location } from './s3.js';

export const SINK_FORMATS = ['jsonl', 'parquet'] as const;
export type SinkFormat = (typeof SINK_FORMATS)[number];

/** One object to write: the first `count` records of what it was cut from. */
export interface SinkObject {
  key: string;
  count: number;
  /** The offset of its last record. */
  last: string;
  body(): string | Uint8Array;
}

export interface ObjectFormat {
  readonly name: SinkFormat;
  readonly contentType: string;
  /** The objects a partition's records (in offset order) go into: consecutive runs, in order. */
  objects(location: S3Location, topic: string, partition: number, records: ConsumedRecord[]): SinkObject[];
  /** The start of the key of any object whose first record is `first`. */
  startPrefix(location: S3Location, topic: string, partition: number, first: ConsumedRecord): string;
}

const dateOf = (record: ConsumedRecord) => new Date(Number(record.timestamp)).toISOString().slice(0, 10);

/** JSON lines, one object per batch, dated by the Kafka timestamp of its first record. */
export const JSONL_FORMAT: ObjectFormat = {
  name: 'jsonl',
  contentType: 'application/x-ndjson',
  objects(location, topic, partition, records) {
    const first = records[0];
    const last = records[records.length - 1];
    return [
      {
        key: objectKey(location, topic, partition, dateOf(first), first.offset, last.offset),
        count: records.length,
        last: last.offset,
        body: () => records.map((r) => JSON.stringify(recordJson(r))).join('\n') + '\n',
      },
    ];
  },
  startPrefix: (location, topic, partition, first) =>
    jsonlStart(location, topic, partition, dateOf(first), first.offset),
};

/** Cuts records into consecutive runs that share the hour of their event time. */
export function hourRuns(rows: PreparedRecord[]): Array<{ hour: EventHour; rows: PreparedRecord[] }> {
  const runs: Array<{ hour: EventHour; rows: PreparedRecord[]; index: number }> = [];
  for (const row of rows) {
    const index = Math.floor(row.fileMs / 3_600_000);
    const current = runs[runs.length - 1];
    if (current && current.index === index) current.rows.push(row);
    else runs.push({ hour: eventHour(row.fileMs), rows: [row], index });
  }
  return runs.map(({ hour, rows }) => ({ hour, rows }));
}

/**
 * Parquet with Hive partitions on the event time: an object never spans two hours, so a
 * batch that crosses an hour is cut there, each piece named by its own first and last offset.
 */
export async function parquetFormat(compression: ParquetCompression): Promise<ObjectFormat> {
  const { prepareRecord } = await import('./parquet/columns.js');
  const { parquetEncoder } = await import('./parquet/writer.js');
  const encode = await parquetEncoder(compression);
  return {
    name: 'parquet',
    contentType: 'application/vnd.apache.parquet',
    objects(location, topic, partition, records) {
      return hourRuns(records.map(prepareRecord)).map(({ hour, rows }) => {
        const first = rows[0].record.offset;
        const last = rows[rows.length - 1].record.offset;
        return {
          key: hiveKey(location, topic, partition, hour, first, last),
          count: rows.length,
          last,
          body: () => encode(rows),
        };
      });
    },
    startPrefix: (location, topic, partition, first) =>
      hiveStart(location, topic, partition, eventHour(prepareRecord(first).fileMs), first.offset),
  };
}

export interface FormatOptions {
  format: SinkFormat;
  /** Parquet only. */
  compression?: ParquetCompression;
}

export async function objectFormat(options: FormatOptions): Promise<ObjectFormat> {
  return options.format === 'parquet' ? parquetFormat(options.compression ?? 'zstd') : JSONL_FORMAT;
}
