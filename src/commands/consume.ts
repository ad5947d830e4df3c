import { Option, type Command } from 'commander';
import { AWS_OPTION_HELP } from '../aws/config.js';
import type { ConnectionFlags } from '../config/connection.js';
import type { Context } from '../context.js';
import { usageError } from '../errors.js';
import type { FeedConsumer, StartPosition } from '../feed/consumer.js';
import type { OutputFormat } from '../feed/render/records.js';
import { collect, connectionFlags, integer, withConnectionOptions } from './options.js';

export const DEFAULT_GROUP = 'kfeed-consumer';

export interface ConsumeOptions extends ConnectionFlags {
  topic: string[];
  group: string;
  fromBeginning?: boolean;
  offset?: string;
  fromTime?: string;
  partition?: number;
  maxMessages?: number;
  exitAtEnd?: boolean;
  format: OutputFormat;
  sink?: string;
  batchSize: number;
  batchSeconds: number;
  createBucket?: boolean;
  endpointUrl?: string;
  region?: string;
  fps: number;
  snapshotSeconds: number;
}

export function register(program: Command, ctx: Context): void {
  withConnectionOptions(
    program
      .command('consume')
      .description('read records from Kafka: print them, show a live ticker, or write them to S3')
      .argument('[topics...]', 'topics to read (or -t)')
      .option('-t, --topic <name>', 'topic to read, repeatable', collect, [])
      .option('-g, --group <id>', 'consumer group (offsets are committed there)', DEFAULT_GROUP)
      .option('--from-beginning', 'start at the oldest record when the group has no committed offset')
      .option('--offset <n>', 'start every partition (or --partition) at this offset', integer('--offset', 0))
      .option('--from-time <iso>', 'start at the first record at or after this time (ISO 8601)')
      .option('-p, --partition <n>', 'read only this partition', integer('--partition', 0))
      .option('-n, --max-messages <n>', 'stop after this many records', integer('--max-messages', 1))
      .option('-e, --exit-at-end', 'stop at the end of what the topics held when reading began')
      .addOption(new Option('-f, --format <format>', 'line (topic:partition:offset: value=...), json, raw (values only) or ticker (a live table)').choices(['line', 'json', 'raw', 'ticker']).default('line'))
      .option('--sink <url>', 'write JSON-lines objects to s3://bucket[/prefix] instead of printing')
      .option('--batch-size <n>', 'sink: records per object at most', integer('--batch-size', 1, 1_000_000), 1000)
      .option('--batch-seconds <n>', 'sink: write an object once its oldest record waited this long', integer('--batch-seconds', 1, 86_400), 60)
      .option('--create-bucket', 'sink: create the bucket when it does not exist')
      .option('--endpoint-url <url>', `sink: ${AWS_OPTION_HELP.endpointUrl}`)
      .option('--region <name>', `sink: ${AWS_OPTION_HELP.region}`)
      .option('--fps <n>', 'ticker: redraws per second at most', integer('--fps', 1, 60), 10)
      .option('--snapshot-seconds <n>', 'ticker on a non-terminal: seconds between snapshots', integer('--snapshot-seconds', 1, 3600), 5),
  ).action(async (topics: string[], options: ConsumeOptions) => {
    await consumeRun(ctx, [...topics, ...options.topic.flatMap((t) => t.split(','))].filter(Boolean), options);
  });
}

function startPosition(options: ConsumeOptions): StartPosition {
  const given = [options.fromBeginning, options.offset !== undefined, options.fromTime !== undefined].filter(Boolean).length;
  if (given > 1) throw usageError('--from-beginning, --offset and --from-time exclude each other');
  if (options.offset !== undefined) return { from: 'offset', offset: String(options.offset) };
  if (options.fromTime !== undefined) {
    const timestamp = Date.parse(options.fromTime);
    const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(options.fromTime);
    // Date.parse rolls 2025-02-30 over to March 2nd; a day the month does not have is a typo.
    const real = day && new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3]))).toISOString().startsWith(day[0]);
    if (!real || Number.isNaN(timestamp)) {
      throw usageError(`"${options.fromTime}" is not an ISO 8601 time`, 'e.g. --from-time 2025-01-31T14:30:00Z');
    }
    return { from: 'time', timestamp };
  }
  return { from: 'committed', fallback: options.fromBeginning ? 'earliest' : 'latest' };
}

export interface ConsumeSummary {
  records: number;
  objects?: number;
  recovered?: number;
  sink?: string;
}

export async function consumeRun(ctx: Context, topics: string[], options: ConsumeOptions): Promise<ConsumeSummary> {
  if (topics.length === 0) throw usageError('no topic given', 'name one or more topics: kfeed consume quote trade');
  const start = startPosition(options);
  const format: OutputFormat = ctx.json && options.format === 'line' ? 'json' : options.format;
  if (options.sink && format === 'ticker') throw usageError('--sink and --format ticker exclude each other');
  // The sink (its location, AWS settings, the bucket) is checked before Kafka is contacted.
  const target = options.sink ? await openS3Target(ctx, options) : undefined;
  try {
    const settings = await ctx.connection(connectionFlags(options));
    const { openFeedConsumer } = await import('../feed/consumer.js');
    const consumer = await openFeedConsumer(settings, {
      topics,
      groupId: options.group,
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

async function runPrint(ctx: Context, consumer: FeedConsumer, options: ConsumeOptions, format: Exclude<OutputFormat, 'ticker'>): Promise<ConsumeSummary> {
  const { formatRecord } = await import('../feed/render/records.js');
  const { consumeCommitted } = await import('../feed/pipeline.js');
  const count = await consumeCommitted(consumer, { signal: ctx.abort.signal, limit: options.maxMessages }, (batch) => write(ctx, batch.records.map((r) => formatRecord(r, format)).join('')));
  ctx.info(`consumed ${count} message${count === 1 ? '' : 's'}`);
  return { records: count };
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
    footer: () => `${board.updates} updates (${Math.round(board.updates / Math.max(1, (Date.now() - began) / 1000))}/s)${board.ignored ? `, ${board.ignored} records not in the market schema` : ''}`,
  });
  view.start();
  try {
    return { records: await consumeIntoBoard(consumer, board, { signal: ctx.abort.signal, limit: options.maxMessages, onUpdate: () => view.touch() }) };
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

async function runSink(ctx: Context, consumer: FeedConsumer, { location, s3 }: Awaited<ReturnType<typeof openS3Target>>, options: ConsumeOptions): Promise<ConsumeSummary> {
  const { consumeToS3 } = await import('../feed/pipeline.js');
  ctx.info(`writing to ${options.sink} (objects of up to ${options.batchSize} records or ${options.batchSeconds} s)`);
  const stats = await consumeToS3(consumer, s3, { location, batchSize: options.batchSize, batchSeconds: options.batchSeconds, signal: ctx.abort.signal, limit: options.maxMessages });
  const summary: ConsumeSummary = { records: stats.records, objects: stats.objects, recovered: stats.recovered, sink: options.sink };
  if (ctx.json) ctx.printJson({ ...summary, keys: stats.keys });
  else ctx.print(`wrote ${summary.objects} object${summary.objects === 1 ? '' : 's'} (${summary.records} records) to ${options.sink}${summary.recovered ? `; ${summary.recovered} records were already written by an earlier run` : ''}`);
  return summary;
}
