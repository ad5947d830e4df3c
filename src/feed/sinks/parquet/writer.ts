/**
 * Encodes prepared records as one Parquet file with hyparquet-writer (pure JavaScript; zstd
 * from node:zlib, which every Node release kfeed supports has), without a native build.
 * README "Libraries" says why these (bench/parquet-libs/).
 */
import zlib from 'node:zlib';
import type { ColumnSource, SchemaElement } from 'hyparquet-writer';
import { packageVersion } from '../../../package-info.js';
import { COLUMNS, columnArrays, type ColumnSpec, type PreparedRecord } from './columns.js';

export const PARQUET_COMPRESSIONS = ['zstd', 'snappy', 'none'] as const;
export type ParquetCompression = (typeof PARQUET_COMPRESSIONS)[number];

/** Rows per row group: an object of the sink's size is one row group; bigger ones are cut. */
export const ROW_GROUP_ROWS = 100_000;

/** zstd's default level: most of the size gain of higher levels at a fraction of the time. */
const ZSTD_LEVEL = 3;

const utf8 = (name: string, repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement => ({
  name,
  type: 'BYTE_ARRAY',
  converted_type: 'UTF8',
  repetition_type: repetition,
});

const timestamp = (name: string, unit: 'MILLIS' | 'NANOS', repetition: 'REQUIRED' | 'OPTIONAL'): SchemaElement => ({
  name,
  type: 'INT64',
  repetition_type: repetition,
  logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit },
});

/** A column's schema elements (nested types are a group and its leaves, depth first). */
function schemaOf(spec: ColumnSpec): SchemaElement[] {
  const repetition = spec.required ? 'REQUIRED' : 'OPTIONAL';
  switch (spec.type) {
    case 'string':
      return [utf8(spec.name, repetition)];
    case 'int32':
      return [{ name: spec.name, type: 'INT32', repetition_type: repetition }];
    case 'int64':
      return [{ name: spec.name, type: 'INT64', repetition_type: repetition }];
    case 'double':
      return [{ name: spec.name, type: 'DOUBLE', repetition_type: repetition }];
    case 'timestamp_ms':
      return [timestamp(spec.name, 'MILLIS', repetition)];
    case 'timestamp_ns':
      return [timestamp(spec.name, 'NANOS', repetition)];
    case 'string_list':
      // The three-level LIST of the Parquet spec.
      return [
        { name: spec.name, repetition_type: repetition, converted_type: 'LIST', num_children: 1 },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        utf8('element', 'REQUIRED'),
      ];
    case 'string_map':
      return [
        { name: spec.name, repetition_type: repetition, converted_type: 'MAP', num_children: 1 },
        { name: 'key_value', repetition_type: 'REPEATED', num_children: 2 },
        utf8('key', 'REQUIRED'),
        utf8('value', 'OPTIONAL'),
      ];
  }
}

export const PARQUET_SCHEMA: SchemaElement[] = [
  { name: 'schema', num_children: COLUMNS.length },
  ...COLUMNS.flatMap(schemaOf),
];

/**
 * Times and offsets grow by small steps: stored as differences they shrink several times over
 * (and encode faster than a dictionary that fails). Other columns: the writer's choice per
 * column (a dictionary where values repeat: symbols, exchanges, prices around a level).
 */
const ENCODINGS: Partial<Record<ColumnSpec['type'], ColumnSource['encoding']>> = {
  timestamp_ms: 'DELTA_BINARY_PACKED',
  timestamp_ns: 'DELTA_BINARY_PACKED',
};

/**
 * Min / max statistics where they let a reader skip data: times and Kafka coordinates. Every
 * object holds many symbols, prices and exchanges, so their ranges would skip nothing, and
 * computing them was a tenth of the writing time.
 */
const WITH_STATISTICS = new Set(
  COLUMNS.filter(
    (spec) =>
      spec.type.startsWith('timestamp') ||
      (spec.name.startsWith('kafka_') && spec.type !== 'string_map' && spec.name !== 'kafka_key'),
  ).map((spec) => spec.name),
);

export type ParquetEncoder = (rows: readonly PreparedRecord[]) => Uint8Array;

/** A page compressed by zlib's zstd at ZSTD_LEVEL (frames any zstd reader decompresses). */
const zstdCompress = (bytes: Uint8Array): Uint8Array =>
  zlib.zstdCompressSync(bytes, { params: { [zlib.constants.ZSTD_c_compressionLevel]: ZSTD_LEVEL } });

/** Loads the writer once; encodes objects after. */
export async function parquetEncoder(compression: ParquetCompression): Promise<ParquetEncoder> {
  const { parquetWriteBuffer } = await import('hyparquet-writer');
  const compressors = compression === 'zstd' ? { ZSTD: zstdCompress } : {};
  const codec = compression === 'zstd' ? 'ZSTD' : compression === 'snappy' ? 'SNAPPY' : 'UNCOMPRESSED';
  // No time of writing in the file: the same records give the same bytes (and ETag).
  const createdBy = `kfeed ${packageVersion()}`;
  return (rows) => {
    const columns = columnArrays(rows);
    const buffer = parquetWriteBuffer({
      schema: PARQUET_SCHEMA,
      codec,
      compressors,
      rowGroupSize: ROW_GROUP_ROWS,
      createdBy,
      columnData: COLUMNS.map((spec): ColumnSource => ({
        name: spec.name,
        data: columns[spec.name],
        encoding: ENCODINGS[spec.type] ?? (spec.name === 'kafka_offset' ? 'DELTA_BINARY_PACKED' : undefined),
        statistics: WITH_STATISTICS.has(spec.name),
      })),
    });
    return new Uint8Array(buffer);
  };
}
