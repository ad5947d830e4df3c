import { Option, type Command } from 'commander';
import { AWS_OPTION_HELP } from '../aws/config.js';
import type { ConnectionFlags } from '../config/connection.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import { GROUP_PROTOCOLS, type GroupProtocol, type StartPosition } from '../feed/consumer-start.js';
import type { FeedConsumer } from '../feed/consumer.js';
import type { OutputFormat } from '../feed/render/records.js';
import type { SinkFormat } from '../feed/sinks/formats.js';
import type { ParquetCompression } from '../feed/sinks/parquet/writer.js';
import { collect, connectionFlags, integer, withConnectionOptions } from './options.js';
import { defineCommand } from './command.js';
import { countInTime, rateText } from '../feed/render/summary.js';
import { parseIsoTime } from '../feed/sources/options.js';

/** The S3 sink commits what it wrote, so it always reads in a group: this one unless -g names another. */
export const DEFAULT_SINK_GROUP = 'kfeed-s3-sink';

/** Objects per format: Parquet pays off (and query engines like files) in larger objects. */
const OBJECT_DEFAULTS: Record<SinkFormat, { records: number; seconds: number }> = {
  jsonl: { records: 1000, seconds: 60 },
  parquet: { records: 10_000, seconds: 300 },
};

export interface ConsumeOptions extends ConnectionFlags {
  topics?: string[];
  topic: string[];
  /** Without it (and without --sink) records are read without a group and nothing is committed. */
  group?: string;
  groupProtocol?: GroupProtocol;
  fromBeginning?: boolean;
  offset?: string;
  fromTime?: string;
  partition?: number;
  count?: number;
  /** Old name of --count (hidden). */
  maxMessages?: number;
  exitAtEnd?: boolean;
  format: OutputFormat;
  sink?: string;
  sinkFormat: SinkFormat;
  parquetCompression?: ParquetCompression;
  objectRecords?: number;
  objectSeconds?: number;
  /** Old names of --object-records and --object-seconds (hidden). */
  batchSize?: number;
  batchSeconds?: number;
  createBucket?: boolean;
  endpointUrl?: string;
  region?: string;
  fps: number;
  snapshotSeconds: number;
}

function consumeFlags(command: Command): Command {
  return withConnectionOptions(
    command
      .option('-t, --topic <name>', 'topic to read, repeatable', collect, [])
      .option(
        '-g, --group <id>',
        'consumer group: offsets are committed there and the next run continues after them ' +
          `(default: none, nothing committed; with --sink: ${DEFAULT_SINK_GROUP})`,
      )
      .addOption(
        new Option(
          '--group-protocol <protocol>',
          'group protocol: consumer (KIP-848, the default on Kafka 4) or classic (the default on 3.x)',
        ).choices([...GROUP_PROTOCOLS]),
      )
      .option('--from-beginning', 'start at the oldest record (with -g: where the group has no committed offset yet)')
      .option('--offset <n>', 'start every partition (or --partition) at this offset', integer('--offset', 0))
      .option('--from-time <iso>', 'start at the first record at or after this time (ISO 8601)')
      .option('--partition <n>', 'read only this partition', integer('--partition', 0))
      .option('-n, --count <n>', 'stop after this many records', integer('--count', 1))
      .addOption(new Option('--max-messages <n>').argParser(integer('--max-messages', 1)).hideHelp())
      .option('-e, --exit-at-end', 'stop at the end of what the topics held when reading began')
      .addOption(
        new Option(
          '-f, --format <format>',
          'line (topic:partition:offset: value=...), json, raw (values only) or ticker (a live table)',
        )
          .choices(['line', 'json', 'raw', 'ticker'])
          .default('line'),
      )
      .option('--sink <url>', 'write the records as objects to s3://bucket[/prefix] instead of printing')
      .addOption(
        new Option('--sink-format <format>', 'sink: jsonl (JSON lines) or parquet (typed columns, Hive partitions)')
          .choices(['jsonl', 'parquet'])
          .default('jsonl'),
      )
      .addOption(
        new Option('--parquet-compression <codec>', 'sink: compression of Parquet objects (default zstd)').choices([
          'zstd',
          'snappy',
          'none',
        ]),
      )
      .option(
        '--object-records <n>',
        `sink: records per object at most (default ${OBJECT_DEFAULTS.jsonl.records}; ` +
          `parquet ${OBJECT_DEFAULTS.parquet.records})`,
        integer('--object-records', 1, 1_000_000),
      )
      .addOption(new Option('--batch-size <n>').argParser(integer('--batch-size', 1, 1_000_000)).hideHelp())
      .option(
        '--object-seconds <n>',
        `sink: write an object once its oldest record waited this long (default ${OBJECT_DEFAULTS.jsonl.seconds}; ` +
          `parquet ${OBJECT_DEFAULTS.parquet.seconds})`,
        integer('--object-seconds', 1, 86_400),
      )
      .addOption(new Option('--batch-seconds <n>').argParser(integer('--batch-seconds', 1, 86_400)).hideHelp())
      .option('--create-bucket', 'sink: create the bucket when it does not exist')
      .option('--endpoint-url <url>', `sink: ${AWS_OPTION_HELP.endpointUrl}`)
      .option('--region <name>', `sink: ${AWS_OPTION_HELP.region}`)
      .option('--fps <n>', 'ticker: redraws per second at most', integer('--fps', 1, 60), 10)
      .option(
        '--snapshot-seconds <n>',
        'ticker on a non-terminal: seconds between snapshots',
        integer('--snapshot-seconds', 1, 3600),
        5,
      ),
  );
}

/** The topics named as arguments and with -t (comma-separated lists allowed). */
function topicsOf(options: ConsumeOptions): string[] {
  return [...(options.topics ?? []), ...options.topic.flatMap((t) => t.split(','))].filter(Boolean);
}

/** New flag names win; the old spellings (hidden) still work, and the two disagreeing is a mistake. */
function aliased(
  newFlag: string,
  newValue: number | undefined,
  oldFlag: string,
  oldValue: number | undefined,
): number | undefined {
  if (newValue !== undefined && oldValue !== undefined && newValue !== oldValue)
    throw usageError(`${newFlag} and ${oldFlag} (its old name) disagree`, `give ${newFlag} only`);
  return newValue ?? oldValue;
}

function validateConsume(options: ConsumeOptions): void {
  if (topicsOf(options).length === 0)
    throw usageError('no topic given', 'name one or more topics: kfeed consume quote trade');
  startPosition(options);
  aliased('--count', options.count, '--max-messages', options.maxMessages);
  aliased('--object-records', options.objectRecords, '--batch-size', options.batchSize);
  aliased('--object-seconds', options.objectSeconds, '--batch-seconds', options.batchSeconds);
  if (options.sink && options.format === 'ticker') throw usageError('--sink and --format ticker exclude each other');
  if (options.sinkFormat === 'parquet' && !options.sink)
    throw usageError('--sink-format applies to the S3 sink', 'add --sink s3://bucket[/prefix]');
  if (options.parquetCompression && options.sinkFormat !== 'parquet')
    throw usageError('--parquet-compression applies to Parquet objects', 'add --sink-format parquet');
  if (options.groupProtocol && groupOf(options) === undefined)
    throw usageError('--group-protocol needs a consumer group', 'name one with -g');
}

/** The group records are read in: -g, the sink's own default, or none. */
function groupOf(options: ConsumeOptions): string | undefined {
  return options.group ?? (options.sink ? DEFAULT_SINK_GROUP : undefined);
}

export default defineCommand<ConsumeOptions, ConsumeSummary>({
  name: 'consume',
  summary: 'read records from Kafka: print them, show a live ticker, or write them to S3',
  args: [{ key: 'topics', syntax: '[topics...]', description: 'topics to read (or -t)' }],
  flags: consumeFlags,
  validate: validateConsume,
  run: (ctx, options) => consumeRun(ctx, topicsOf(options), options),
  // Printed records and the ticker are the output; only the sink has a summary for stdout.
  render: (summary) =>
    summary.sink === undefined
      ? undefined
      : `wrote ${summary.objects} object${summary.objects === 1 ? '' : 's'} ` +
        `(${summary.records} records) to ${summary.sink}` +
        (summary.recovered ? `; ${summary.recovered} records were already written by an earlier run` : ''),
  json: (summary) => (summary.sink === undefined ? undefined : summary),
});

function startPosition(options: ConsumeOptions): StartPosition {
  const given = [options.fromBeginning, options.offset !== undefined, options.fromTime !== undefined].filter(
    Boolean,
  ).length;
  if (given > 1) throw usageError('--from-beginning, --offset and --from-time exclude each other');
  if (options.offset !== undefined) return { from: 'offset', offset: String(options.offset) };
  if (options.fromTime !== undefined) return { from: 'time', timestamp: parseIsoTime('--from-time', options.fromTime) };
  return { from: 'committed', fallback: options.fromBeginning ? 'earliest' : 'latest' };
}

export interface ConsumeSummary {
  records: number;
  seconds: number;
  /** The consumer group read in; null when read without one. */
  group: string | null;
  keys?: string[];
  objects?: number;
  recovered?: number;
  sink?: string;
}

export async function consumeRun(ctx: Context, topics: string[], options: ConsumeOptions): Promise<ConsumeSummary> {
  const start = startPosition(options);
  const format: OutputFormat = ctx.json && options.format === 'line' ? 'json' : options.format;
  // The sink (its location, AWS settings, the bucket) is checked before Kafka is contacted.
  const target = options.sink ? await openS3Target(ctx, options) : undefined;
  try {
    const settings = await ctx.connection(connectionFlags(options));
    const { openFeedConsumer } = await import('../feed/consumer.js');
    const consumer = await openFeedConsumer(settings, {
      topics,
      groupId: groupOf(options),
      groupProtocol: options.groupProtocol,
      start,
      partition: options.partition,
      exitAtEnd: options.exitAtEnd,
    });
    try {
      if (target) return await runSink(ctx, consumer, target, options);
      if (format === 'ticker') return await runTicker(ctx, consumer, options);
      return await runPrint(ctx, consumer, options, format);
    } finally {
      await consumer.close();
    }
  } finally {
    target?.s3.client.destroy();
  }
}

/** Waits for stdout to take more when it is full (a slow pipe). */
function write(ctx: Context, text: string): Promise<void> | undefined {
  if (ctx.io.stdout.write(text)) return undefined;
  return new Promise((resolve) => ctx.io.stdout.once('drain', resolve));
}

async function runPrint(
  ctx: Context,
  consumer: FeedConsumer,
  options: ConsumeOptions,
  format: Exclude<OutputFormat, 'ticker'>,
): Promise<ConsumeSummary> {
  const { formatRecord } = await import('../feed/render/records.js');
  const { consumeCommitted } = await import('../feed/pipeline.js');
  const began = Date.now();
  const count = await consumeCommitted(consumer, { signal: ctx.abort.signal, limit: recordLimit(options) }, (batch) =>
    write(ctx, batch.records.map((r) => formatRecord(r, format)).join('')),
  );
  const ms = Date.now() - began;
  // stdout carries the records, so the summary goes to stderr.
  ctx.info(`consumed ${countInTime(count, 'message', ms)}`);
  return { records: count, seconds: ms / 1000, group: groupOf(options) ?? null };
}

async function runTicker(ctx: Context, consumer: FeedConsumer, options: ConsumeOptions): Promise<ConsumeSummary> {
  const { TickerBoard, TickerView } = await import('../feed/render/ticker.js');
  const { consumeIntoBoard } = await import('../feed/pipeline.js');
  const board = new TickerBoard();
  const began = Date.now();
  const view = new TickerView(board, {
    out: ctx.io.stdout,
    fps: options.fps,
    snapshotSeconds: options.snapshotSeconds,
    footer: () =>
      `${board.updates} updates (${rateText(board.updates, Date.now() - began)}/s)` +
      (board.ignored ? `, ${board.ignored} records not in the market schema` : ''),
  });
  view.start();
  try {
    const records = await consumeIntoBoard(consumer, board, {
      signal: ctx.abort.signal,
      limit: recordLimit(options),
      onUpdate: () => view.touch(),
    });
    return { records, seconds: (Date.now() - began) / 1000, group: groupOf(options) ?? null };
  } finally {
    view.stop();
  }
}

async function openS3Target(ctx: Context, options: ConsumeOptions) {
  const { parseS3Url, createS3Client, ensureBucket } = await import('../feed/sinks/s3.js');
  const location = parseS3Url(options.sink!);
  const s3 = await createS3Client({ endpointUrl: options.endpointUrl, region: options.region, env: ctx.env });
  try {
    await ensureBucket(s3, location.bucket, Boolean(options.createBucket));
  } catch (error) {
    s3.client.destroy();
    throw error;
  }
  return { location, s3 };
}

async function runSink(
  ctx: Context,
  consumer: FeedConsumer,
  { location, s3 }: Awaited<ReturnType<typeof openS3Target>>,
  options: ConsumeOptions,
): Promise<ConsumeSummary> {
  const { consumeToS3 } = await import('../feed/pipeline.js');
  const { objectFormat } = await import('../feed/sinks/formats.js');
  const defaults = OBJECT_DEFAULTS[options.sinkFormat];
  const objectRecords =
    aliased('--object-records', options.objectRecords, '--batch-size', options.batchSize) ?? defaults.records;
  const objectSeconds =
    aliased('--object-seconds', options.objectSeconds, '--batch-seconds', options.batchSeconds) ?? defaults.seconds;
  const format = await objectFormat({ format: options.sinkFormat, compression: options.parquetCompression });
  const what =
    options.sinkFormat === 'parquet' ? `Parquet (${options.parquetCompression ?? 'zstd'}) objects` : 'objects';
  ctx.info(
    `writing to ${options.sink} in consumer group ${groupOf(options)} ` +
      `(${what} of up to ${objectRecords} records or ${objectSeconds} s)`,
  );
  const began = Date.now();
  const stats = await consumeToS3(consumer, s3, {
    location,
    group: groupOf(options)!,
    batchSize: objectRecords,
    batchSeconds: objectSeconds,
    format,
    signal: ctx.abort.signal,
    limit: recordLimit(options),
  });
  return {
    records: stats.records,
    seconds: (Date.now() - began) / 1000,
    group: groupOf(options)!,
    objects: stats.objects,
    recovered: stats.recovered,
    sink: options.sink,
    keys: stats.keys,
  };
}

function recordLimit(options: ConsumeOptions): number | undefined {
  return options.count ?? options.maxMessages;
}
