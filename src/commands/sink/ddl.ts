import path from 'node:path';
import { Option } from 'commander';
import { usageError } from '../../errors.js';
import {
  DDL_ENGINES,
  TABLE_KINDS,
  kindOfTopic,
  renderDdl,
  tableNameOf,
  type DdlEngine,
  type TableKind,
} from '../../feed/sinks/ddl.js';
import { hiveTopicPrefix } from '../../feed/sinks/layouts.js';
import { parseS3Url } from '../../feed/sinks/s3.js';
import { checkTopicName } from '../../kafka/topics.js';
import { defineCommand } from '../command.js';

export interface SinkDdlOptions {
  location: string;
  topic?: string;
  engine: DdlEngine;
  kind?: TableKind;
  table?: string;
  since: string;
}

export interface SinkDdlResult {
  engine: DdlEngine;
  table: string;
  kind: TableKind;
  /** The folder the table reads (the topic's objects). */
  location: string;
  sql: string;
}

const TABLE = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/;
const SINCE = /^(\d{4}-\d\d-\d\d|NOW(-\d+(YEARS|MONTHS|WEEKS|DAYS))?)$/;

/** s3://bucket/prefix as the sink writes it, or (DuckDB) a local folder holding a copy; ends in '/'. */
function baseOf(location: string, engine: DdlEngine, cwd: string): string {
  if (location.startsWith('s3://')) {
    const { bucket, prefix } = parseS3Url(location);
    return `s3://${bucket}/${prefix}`;
  }
  if (engine === 'athena')
    throw usageError(`"${location}" is not an S3 location`, 'Athena reads S3: give s3://bucket[/prefix]');
  if (/^[a-z0-9]+:\/\//i.test(location))
    throw usageError(`"${location}" is not an S3 location or a folder`, 'give s3://bucket[/prefix] or a local folder');
  return `${path.resolve(cwd, location).replace(/\/+$/, '')}/`;
}

export default defineCommand<SinkDdlOptions, SinkDdlResult>({
  name: 'ddl',
  summary: 'print the Athena table or DuckDB view over what `consume --sink-format parquet` writes',
  args: [
    {
      key: 'location',
      syntax: '<location>',
      description: "the sink's s3://bucket[/prefix] (DuckDB: or a local folder holding a copy)",
    },
  ],
  flags: (command) =>
    command
      .option('-t, --topic <name>', 'the topic whose objects the table reads')
      .addOption(
        new Option('--engine <engine>', 'athena (Glue table) or duckdb (view)').choices(DDL_ENGINES).default('athena'),
      )
      .addOption(
        new Option(
          '--kind <kind>',
          'columns to show: a record kind, market (all kinds) or generic (Kafka coordinates and value); ' +
            "default from the topic's name",
        ).choices(TABLE_KINDS),
      )
      .option('--table <name>', 'table (or view) name, [database.]name (default: the topic)')
      .option(
        '--since <date>',
        'Athena: first date partition projection offers (yyyy-MM-dd or NOW-<n>YEARS)',
        'NOW-1YEARS',
      ),
  validate: (options) => {
    if (!options.topic) throw usageError('no topic given', 'name it: --topic quote');
    checkTopicName(options.topic);
    if (options.table !== undefined && !TABLE.test(options.table))
      throw usageError(
        `"${options.table}" is not a table name`,
        'use letters, digits and "_", optionally database.name',
      );
    if (!SINCE.test(options.since))
      throw usageError(`"${options.since}" is not a date for --since`, 'write yyyy-MM-dd, or NOW-1YEARS, NOW-30DAYS');
  },
  run: async (ctx, options) => {
    const topic = options.topic!;
    const base = baseOf(options.location, options.engine, ctx.cwd);
    const kind = options.kind ?? kindOfTopic(topic);
    const table = options.table ?? tableNameOf(topic);
    const sql = renderDdl({ engine: options.engine, base, topic, kind, table, since: options.since });
    return { engine: options.engine, table, kind, location: hiveTopicPrefix(base, topic), sql };
  },
  render: (result) => result.sql.trimEnd(),
});
