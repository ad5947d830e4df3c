import { Option, type Command } from 'commander';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context, Progress } from '../../context.js';
import { usageError } from '../../errors.js';
import type { BenchInput, BenchMode, BenchProgress, LatencyResult, ThroughputResult } from '../../bench/runner.js';
import { quoteMessages } from '../../bench/payload.js';
import { connectionFlags, integer, withConnectionOptions } from '../options.js';
import { producerAcks } from '../../feed/pacing.js';

export interface BenchOptions extends ConnectionFlags {
  topic?: string;
  partitions: number;
  size: number;
  count?: number;
  duration?: number;
  rate?: number;
  warmup?: number;
  nullKeys?: boolean;
  keepTopic?: boolean;
  acks: 'all' | '1' | '0';
  idempotent: boolean;
  compression: 'none' | 'gzip';
  lingerMs: number;
  batchSize: number;
}

/** What each mode does when given neither --count nor --duration. */
const DEFAULT_COUNT = 100_000;
const DEFAULT_E2E_SECONDS = 10;
const DEFAULT_E2E_RATE = 5000;

const rateNumber = (value: string): number => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 10_000_000)
    throw usageError('--rate must be a number of messages per second from 0 (as fast as possible) to 10000000');
  return n;
};

function countDefault(mode: BenchMode): string {
  if (mode === 'produce') return ` (default: ${DEFAULT_COUNT} unless --duration)`;
  if (mode === 'consume') return ` (default: ${DEFAULT_COUNT}; with --topic, all it holds)`;
  return '';
}

/** Every flag of a bench verb: the workload, the producer settings and the connection. */
export function benchFlags(command: Command, mode: BenchMode): Command {
  return withConnectionOptions(workloadOptions(command, mode));
}

function workloadOptions(command: Command, mode: BenchMode): Command {
  command
    .option('-t, --topic <name>', 'an existing topic (default: a temporary topic, deleted afterwards)')
    .option('--keep-topic', 'leave the temporary topic in place afterwards (to check what was written)')
    .option('-p, --partitions <n>', 'partitions of the temporary topic', integer('--partitions', 1, 10_000), 1)
    .option(
      '--size <bytes>',
      'bytes per message: quote-shaped JSON, padded to this size',
      integer('--size', 1, 10_000_000),
      200,
    )
    .option(
      '-n, --count <n>',
      `messages to ${mode === 'consume' ? 'read' : 'send'}${countDefault(mode)}`,
      integer('--count', 1),
    );
  if (mode !== 'consume')
    command.option(
      '-d, --duration <seconds>',
      `send for this long${mode === 'e2e' ? ` (default: ${DEFAULT_E2E_SECONDS} unless --count)` : ''}`,
      integer('--duration', 1, 86_400),
    );
  if (mode === 'produce')
    command.option('--rate <n>', 'messages per second to send at (0 = as fast as possible)', rateNumber, 0);
  if (mode === 'e2e') {
    command
      .option('--rate <n>', 'messages per second to send at', rateNumber, DEFAULT_E2E_RATE)
      .option(
        '--warmup <seconds>',
        'seconds at the start whose messages are not measured',
        integer('--warmup', 0, 3600),
        1,
      );
  }
  return command
    .option('--null-keys', 'send null keys (default: keyed by symbol, as the feed is)')
    .addOption(
      new Option('--acks <n>', 'acknowledgements (1 and 0 need --no-idempotent)')
        .choices(['all', '1', '0'])
        .default('all'),
    )
    .option('--no-idempotent', 'turn off idempotent delivery')
    .addOption(new Option('--compression <codec>', 'batch compression').choices(['none', 'gzip']).default('none'))
    .option('--linger-ms <ms>', 'how long a record may wait to be batched', integer('--linger-ms', 0, 10_000), 5)
    .option('--batch-size <n>', 'records per batch at most', integer('--batch-size', 1, 100_000), 1000);
}

/** Checks the flags that depend on each other and turns them into the runner's input. */
export function benchInput(mode: BenchMode, options: BenchOptions): Omit<BenchInput, 'settings'> {
  if (options.count !== undefined && options.duration !== undefined)
    throw usageError('--count and --duration exclude each other', 'give one of them');
  producerAcks(options);
  if (mode === 'e2e' && !(options.rate! > 0)) throw usageError('bench e2e needs a rate above 0', 'e.g. --rate 5000');
  if (mode === 'e2e' && options.duration !== undefined && (options.warmup ?? 1) >= options.duration) {
    throw usageError(
      `--warmup ${options.warmup ?? 1} leaves nothing of --duration ${options.duration} to measure`,
      'the warm-up is the first part of the run: make it shorter',
    );
  }
  if (options.topic && options.partitions !== 1)
    throw usageError('--partitions applies to the temporary topic', 'leave it out with --topic');
  const noLimit = options.count === undefined && options.duration === undefined;
  return {
    topic: options.topic,
    partitions: options.partitions,
    size: options.size,
    count: noLimit && mode !== 'e2e' && !(mode === 'consume' && options.topic) ? DEFAULT_COUNT : options.count,
    durationSeconds: noLimit && mode === 'e2e' ? DEFAULT_E2E_SECONDS : options.duration,
    rate: options.rate ?? 0,
    keyed: !options.nullKeys,
    warmupSeconds: options.warmup,
    keepTopic: options.keepTopic,
    producer: {
      idempotent: options.idempotent,
      acks: producerAcks(options),
      compression: options.compression,
      lingerMs: options.lingerMs,
      batchSize: options.batchSize,
    },
  };
}

/** The checks of validate: the flags together, and a --size that can hold a quote. */
export function checkBenchOptions(mode: BenchMode, options: BenchOptions): void {
  const input = benchInput(mode, options);
  quoteMessages(input.size, 1);
}

/** Runs one bench on a progress line; the result is printed by the caller (report or --json). */
export async function runBench(
  ctx: Context,
  mode: 'produce' | 'consume',
  options: BenchOptions,
): Promise<ThroughputResult>;
export async function runBench(ctx: Context, mode: 'e2e', options: BenchOptions): Promise<LatencyResult>;
export async function runBench(
  ctx: Context,
  mode: BenchMode,
  options: BenchOptions,
): Promise<ThroughputResult | LatencyResult> {
  const input = benchInput(mode, options);
  const settings = await ctx.connection(connectionFlags(options));
  const runner = await import('../../bench/runner.js');
  const progress = ctx.progress(`bench ${mode}: connecting to ${settings.brokers.join(',')}`);
  // A terminal redraws one line; a log gets a line every few seconds.
  const everyMs = ctx.io.stderr.isTTY ? 500 : 5000;
  let lastLine = 0;
  const onProgress = (p: BenchProgress) => {
    if (Date.now() - lastLine < everyMs) return;
    lastLine = Date.now();
    progress.update(progressLine(p));
  };
  const full: BenchInput = { ...input, settings, signal: ctx.abort.signal, onProgress };
  let result: ThroughputResult | LatencyResult;
  try {
    result =
      mode === 'produce'
        ? await runner.benchProduce(full)
        : mode === 'consume'
          ? await runner.benchConsume(full)
          : await runner.benchE2e(full);
  } catch (error) {
    progress.fail(`bench ${mode} failed`);
    throw error;
  }
  finish(progress, result);
  return result;
}

function progressLine(p: BenchProgress): string {
  const done = p.target ? `${p.messages}/${p.target}` : String(p.messages);
  const verb =
    p.phase === 'fill'
      ? 'filling the topic'
      : p.phase === 'e2e'
        ? 'received'
        : p.phase === 'consume'
          ? 'read'
          : 'acknowledged';
  const seconds = p.elapsedSeconds.toFixed(1);
  return `bench ${p.phase === 'fill' ? 'consume' : p.phase}: ${verb} ${done} messages, ${p.rate} msg/s, ${seconds} s`;
}

function finish(progress: Progress, result: ThroughputResult): void {
  progress.succeed(`bench ${result.mode}: done${result.interrupted ? ' (interrupted)' : ''}`);
}

const isLatency = (result: ThroughputResult): result is LatencyResult => result.mode === 'e2e';

/** The human summary (render of every bench verb): what ran, how fast, and for e2e how long messages took. */
export function report(result: ThroughputResult | LatencyResult): string {
  const s = result.settings;
  const temporary = result.temporaryTopic ? (result.keptTopic ? ' (temporary, kept)' : ' (temporary, deleted)') : '';
  const lines = [
    `${result.mode}: ${result.messages} messages of ${result.messageBytes} B in ${result.seconds} s` +
      (result.interrupted ? ' (interrupted)' : ''),
    `  throughput  ${result.messagesPerSecond} msg/s, ${result.megabytesPerSecond} MB/s`,
  ];
  if (isLatency(result)) {
    const l = result.latencyMs;
    lines.push(
      `  rate        ${result.targetRate} msg/s asked, ${result.sentPerSecond} msg/s sent, ` +
        `${result.received} received (${result.warmupMessages} in the warm-up)`,
    );
    lines.push(
      `  latency ms  p50 ${l.p50}  p95 ${l.p95}  p99 ${l.p99}  p99.9 ${l.p999}  max ${l.max}  (${l.samples} samples)`,
    );
  }
  if (result.firstRecordMs !== undefined)
    lines.push(`  first record ${result.firstRecordMs} ms after opening the consumer`);
  if (result.errors) lines.push(`  errors      ${result.errors} messages not delivered`);
  lines.push(
    `  topic       ${result.topic}${temporary}, ${result.partitions} partition${result.partitions === 1 ? '' : 's'}`,
    ...(s === null
      ? []
      : [
          `  producer    acks=${s.acks}${s.idempotent ? ' idempotent' : ''}, compression ${s.compression}, ` +
            `linger ${s.lingerMs} ms, batch ${s.batchSize}, ${s.keyed ? 'keyed by symbol' : 'null keys'}`,
        ]),
    `  peak RSS    ${result.peakRssMb} MB`,
  );
  return lines.join('\n');
}
