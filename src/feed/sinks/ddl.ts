/**
 * Table definitions for the Parquet sink's layout (pure text): an Athena / Glue external
 * table with partition projection on date and hour, or a DuckDB view over read_parquet with
 * Hive partitioning. A table shows the columns of one record kind; the files hold all.
 */
import type { MarketKind } from '../schema.js';
import { hiveTopicPrefix } from './layouts.js';
import { COLUMNS, type ColumnSpec, type ColumnType } from './parquet/columns.js';

export const DDL_ENGINES = ['athena', 'duckdb'] as const;
export type DdlEngine = (typeof DDL_ENGINES)[number];

/** A market kind's columns, every market column, or the Kafka coordinates and the value alone. */
export const TABLE_KINDS = ['quote', 'trade', 'bar', 'market', 'generic'] as const;
export type TableKind = (typeof TABLE_KINDS)[number];

export interface DdlInput {
  engine: DdlEngine;
  /** Where the sink writes: `s3://bucket/prefix/` or (DuckDB) a local folder holding a copy; ends in '/'. */
  base: string;
  topic: string;
  kind: TableKind;
  table: string;
  /** Athena: the first date partition projection offers (yyyy-MM-dd, or NOW-based like NOW-1YEARS). */
  since: string;
}

/** The kind a topic named as kfeed's routing names them holds (`quote`, `crypto_trade`, `x.bars`), else all. */
export function kindOfTopic(topic: string): TableKind {
  const match = /(?:^|[._-])(quote|trade|bar)s?$/i.exec(topic);
  return match ? (match[1].toLowerCase() as MarketKind) : 'market';
}

/** A table name from a topic name: letters, digits and '_' (what both engines take unquoted). */
export function tableNameOf(topic: string): string {
  const name = topic.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[0-9]/.test(name) ? `t_${name}` : name;
}

export function tableColumns(kind: TableKind): ColumnSpec[] {
  return COLUMNS.filter((spec) => {
    if (!spec.kinds) return true;
    if (kind === 'generic') return false;
    return kind === 'market' || spec.kinds.includes(kind);
  });
}

const ATHENA_TYPES: Record<ColumnType, string> = {
  string: 'string',
  int32: 'int',
  int64: 'bigint',
  double: 'double',
  // Athena's timestamp holds milliseconds: nanoseconds are cut there (DuckDB keeps them).
  timestamp_ms: 'timestamp',
  timestamp_ns: 'timestamp',
  string_list: 'array<string>',
  string_map: 'map<string,string>',
};

const sqlString = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** `[database.]name`, each part quoted as the engine quotes names. */
const tableName = (name: string, quote: string) =>
  name
    .split('.')
    .map((part) => `${quote}${part}${quote}`)
    .join('.');

function athena(input: DdlInput): string {
  const location = hiveTopicPrefix(input.base, input.topic);
  const columns = tableColumns(input.kind).map((spec) => `  \`${spec.name}\` ${ATHENA_TYPES[spec.type]}`);
  const properties: Array<[string, string]> = [
    ['projection.enabled', 'true'],
    ['projection.date.type', 'date'],
    ['projection.date.format', 'yyyy-MM-dd'],
    // A day ahead: event times a little ahead of the clock land in tomorrow's folder at midnight.
    ['projection.date.range', `${input.since},NOW+1DAYS`],
    ['projection.date.interval', '1'],
    ['projection.date.interval.unit', 'DAYS'],
    ['projection.hour.type', 'integer'],
    ['projection.hour.range', '0,23'],
    ['projection.hour.digits', '2'],
    ['storage.location.template', `${location}date=\${date}/hour=\${hour}/`],
  ];
  return [
    `CREATE EXTERNAL TABLE IF NOT EXISTS ${tableName(input.table, '`')} (`,
    columns.join(',\n'),
    ')',
    'PARTITIONED BY (`date` string, `hour` int)',
    'STORED AS PARQUET',
    `LOCATION ${sqlString(location)}`,
    'TBLPROPERTIES (',
    properties.map(([key, value]) => `  ${sqlString(key)} = ${sqlString(value)}`).join(',\n'),
    ');',
    '',
  ].join('\n');
}

function duckdb(input: DdlInput): string {
  const files = `${hiveTopicPrefix(input.base, input.topic)}date=*/hour=*/*.parquet`;
  const columns = [...tableColumns(input.kind).map((spec) => spec.name), 'date', 'hour'].map((name) => `  "${name}"`);
  return [
    `-- kfeed Parquet sink, topic ${input.topic} (${input.kind} columns), partitions date and hour of the event time`,
    ...(input.base.startsWith('s3://')
      ? ['-- S3 needs httpfs and credentials, e.g. CREATE SECRET (TYPE s3, PROVIDER credential_chain);']
      : []),
    `CREATE OR REPLACE VIEW ${tableName(input.table, '"')} AS`,
    'SELECT',
    columns.join(',\n'),
    'FROM read_parquet(',
    `  ${sqlString(files)},`,
    '  hive_partitioning = true,',
    "  hive_types = {'date': DATE, 'hour': INTEGER}",
    ');',
    '',
  ].join('\n');
}

export function renderDdl(input: DdlInput): string {
  return input.engine === 'athena' ? athena(input) : duckdb(input);
}
