import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ConnectionFlags } from '../config/connection.js';
import type { Context } from '../context.js';
import { KfeedError, usageError } from '../errors.js';
import { producerAcks } from '../feed/pacing.js';
import { countInTime } from '../feed/render/summary.js';
import {
  checkKeySeparator,
  checkSourceOptions,
  kindOf,
  parseIsoTime,
  parseKinds,
  SOURCES,
  symbolList,
  type SourceName,
} from '../feed/sources/options.js';
import { defineCommand, printResult } from './command.js';
import type { FeedProducerOptions, ProducerStats } from '../feed/producer.js';
import type { AssetClass, MarketKind, TopicRouting } from '../feed/schema.js';
import type { FeedSource } from '../feed/sources/source.js';
import { collect, connectionFlags, integer, withConnectionOptions } from './options.js';

export interface ProduceOptions extends ConnectionFlags {
  source: SourceName;
  topic?: string;
  topicPrefix?: string;
  keySeparator?: string;
  header: string[];
  symbols?: string;
  crypto?: string;
  kinds?: string;
  rate?: number;
  seed?: number;
  startTime?: string;
  count?: number;
  duration?: number;
  feed?: 'iex' | 'sip' | 'test';
  streamUrl?: string;
  apiUrl?: string;
  interval?: number;
  creditsPerMinute?: number;
  creditsPerDay?: number;
  compression: 'none' | 'gzip';
  idempotent: boolean;
  acks: 'all' | '1' | '0';
  lingerMs: number;
  batchSize: number;
}

/** Commander parser for a service's base URL, so a typo fails at once rather than on every retry. */
const baseUrl =
  (flag: string, schemes: string[], example: string) =>
  (value: string): string => {
    let url: URL | undefined;
    try {
      url = new URL(value);
    } catch {
      url = undefined;
    }
    if (!url || !schemes.includes(url.protocol))
      throw new InvalidArgumentError(
        `${flag} must be a URL starting ${schemes.map((s) => `${s}//`).join(' or ')}, such as ${example}`,
      );
    return value;
  };

const floatRate = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1_000_000)
    throw usageError('--rate must be a number from 0 (unthrottled) to 1000000');
  return n;
};

const DEFAULTS = {
  rate: 20,
  seed: 1,
  kinds: 'trades,quotes,bars',
  feed: 'iex',
  interval: 10,
  creditsPerMinute: 8,
  creditsPerDay: 800,
} as const;

/** What sim sends without --kinds: the whole market. */
const SIM_KINDS: MarketKind[] = ['quote', 'trade', 'bar'];

function produceFlags(command: Command): Command {
  return withConnectionOptions(
    command
      .addOption(new Option('-s, --source <name>', 'where records come from').choices(SOURCES).default('stdin'))
      .option(
        '-t, --topic <name>',
        'topic for every record (required for stdin; market sources default to one topic per kind)',
      )
      .option(
        '--topic-prefix <prefix>',
        'market sources: topics <prefix>quote, <prefix>trade, <prefix>bar (crypto: <prefix>crypto_<kind>)',
      )
      .option('-K, --key-separator <sep>', 'stdin: split each line into key and value at the first <sep>')
      .option('-H, --header <name=value>', 'stdin: header on every record, repeatable', collect, [])
      .option('--symbols <list>', 'comma-separated symbols (sim, alpaca stocks, twelvedata)')
      .option(
        '--crypto <list>',
        'alpaca, twelvedata: comma-separated crypto pairs, e.g. BTC/USD,ETH/USD (topics crypto_<kind>)',
      )
      .option('--kinds <list>', `sim, alpaca: which records to send (default ${DEFAULTS.kinds})`)
      .option(
        '--rate <n>',
        `sim: records per second, quotes, trades and bars together (0 = as fast as possible; default ${DEFAULTS.rate})`,
        floatRate,
      )
      .option(
        '--seed <n>',
        `sim: seed of the simulated market (same seed, same market; default ${DEFAULTS.seed})`,
        integer('--seed', 0, 2 ** 32 - 1),
      )
      .option(
        '--start-time <iso>',
        'sim: start of the simulated clock (default: now); with --seed, the same records every run',
      )
      .option('-n, --count <n>', 'stop after this many records', integer('--count', 1))
      .option('--duration <seconds>', 'stop after this many seconds', integer('--duration', 1))
      .addOption(
        new Option('--feed <name>', `alpaca: stock feed (default ${DEFAULTS.feed})`).choices(['iex', 'sip', 'test']),
      )
      .option(
        '--stream-url <url>',
        'alpaca: market-data websocket base (default wss://stream.data.alpaca.markets)',
        baseUrl('--stream-url', ['wss:', 'ws:'], 'wss://stream.data.alpaca.markets'),
      )
      .option(
        '--api-url <url>',
        'twelvedata: REST base (default https://api.twelvedata.com)',
        baseUrl('--api-url', ['https:', 'http:'], 'https://api.twelvedata.com'),
      )
      .option(
        '--interval <seconds>',
        `twelvedata: seconds between polls of each symbol (default ${DEFAULTS.interval})`,
        integer('--interval', 1, 86_400),
      )
      .option(
        '--credits-per-minute <n>',
        `twelvedata: the plan's API credits per minute (default ${DEFAULTS.creditsPerMinute})`,
        integer('--credits-per-minute', 1),
      )
      .option(
        '--credits-per-day <n>',
        `twelvedata: the plan's API credits per day (default ${DEFAULTS.creditsPerDay})`,
        integer('--credits-per-day', 1),
      )
      .addOption(new Option('--compression <codec>', 'batch compression').choices(['none', 'gzip']).default('none'))
      .option('--no-idempotent', 'turn off idempotent delivery (then --acks applies)')
      .addOption(
        new Option('--acks <n>', 'acknowledgements (1 and 0 need --no-idempotent)')
          .choices(['all', '1', '0'])
          .default('all'),
      )
      .option('--linger-ms <ms>', 'how long a record may wait to be batched', integer('--linger-ms', 0, 10_000), 5)
      .option('--batch-size <n>', 'records per producer batch at most', integer('--batch-size', 1, 100_000), 1000),
  );
}

/** Checks of the options alone: one rule for acks, and no option the source does not take. */
function validateProduce(options: ProduceOptions): void {
  producerAcks(options);
  checkSourceOptions(options.source, options as unknown as Record<string, unknown>);
  if (options.source !== 'stdin' && options.topic && options.topicPrefix)
    throw usageError('--topic and --topic-prefix exclude each other');
  if (options.startTime !== undefined) parseIsoTime('--start-time', options.startTime);
  checkKeySeparator(options.keySeparator);
  if (options.kinds !== undefined) parseKinds(options.kinds);
}

const produceCommand = defineCommand<ProduceOptions, ProduceSummary>({
  name: 'produce',
  summary: 'send records to Kafka from stdin, a simulated market, Alpaca or Twelve Data',
  flags: produceFlags,
  validate: validateProduce,
  run: produceRun,
  render: (summary) =>
    'produced ' +
    countInTime(summary.acknowledged, 'message', summary.seconds * 1000).replace(
      / in /,
      ` to ${summary.topics.join(', ')} in `,
    ) +
    (summary.errors ? `; ${summary.errors} not delivered` : '') +
    (summary.interrupted ? '; interrupted' : ''),
});
export default produceCommand;

/** Builds the source the options name; market sources read their keys from the environment. */
async function buildSource(
  ctx: Context,
  options: ProduceOptions,
  routing: TopicRouting,
): Promise<{ source: FeedSource; topics: string[] }> {
  const { topicsFor } = await import('../feed/schema.js');
  switch (options.source) {
    case 'stdin': {
      if (!options.topic) throw usageError('--topic is required with --source stdin', 'pass -t <topic>');
      const { stdinSource, parseHeaders } = await import('../feed/sources/stdin.js');
      const interactive = ctx.canPrompt();
      const source = stdinSource({
        input: ctx.io.stdin,
        topic: options.topic,
        keySeparator: options.keySeparator,
        headers: parseHeaders(options.header),
        interactive,
        prompt: (text) => ctx.io.stderr.write(text),
      });
      if (interactive) ctx.info(`type a line to send it to ${options.topic}; q quits`);
      return { source, topics: [options.topic] };
    }
    case 'sim': {
      const { simSource, DEFAULT_SIM_SYMBOLS } = await import('../feed/sources/sim.js');
      const symbols = options.symbols === undefined ? DEFAULT_SIM_SYMBOLS : symbolList('--symbols', options.symbols);
      const assets = [...new Set(symbols.map((s) => (s.includes('/') ? 'crypto' : 'stock') as AssetClass))];
      const kinds = options.kinds === undefined ? SIM_KINDS : parseKinds(options.kinds).map(kindOf);
      const source = simSource({
        symbols,
        rate: options.rate ?? DEFAULTS.rate,
        seed: options.seed ?? DEFAULTS.seed,
        startTime: options.startTime === undefined ? undefined : parseIsoTime('--start-time', options.startTime),
        count: options.count,
        routing,
        kinds,
      });
      return { source, topics: topicsFor(kinds, assets, routing) };
    }
    case 'alpaca': {
      const { alpacaSource } = await import('../feed/sources/alpaca.js');
      const key = ctx.env.APCA_API_KEY_ID;
      const secret = ctx.env.APCA_API_SECRET_KEY;
      if (!key || !secret)
        throw new KfeedError('config', 'Alpaca keys are not set', {
          hint: 'set APCA_API_KEY_ID and APCA_API_SECRET_KEY',
        });
      const stocks = symbolList('--symbols', options.symbols);
      const crypto = symbolList('--crypto', options.crypto);
      if (!stocks.length && !crypto.length)
        throw usageError(
          '--source alpaca needs --symbols and/or --crypto',
          'e.g. --symbols AAPL,MSFT --crypto BTC/USD',
        );
      const kinds = parseKinds(options.kinds ?? DEFAULTS.kinds);
      const assets: AssetClass[] = [
        ...(stocks.length ? ['stock' as const] : []),
        ...(crypto.length ? ['crypto' as const] : []),
      ];
      const source = alpacaSource({
        key,
        secret,
        feed: options.feed ?? DEFAULTS.feed,
        stocks,
        crypto,
        kinds,
        baseUrl: options.streamUrl,
        routing,
        onStatus: (text) => ctx.info(text),
      });
      return {
        source,
        topics: topicsFor(kinds.map(kindOf), assets, routing),
      };
    }
    case 'twelvedata': {
      const { twelveDataSource } = await import('../feed/sources/twelvedata.js');
      const apiKey = ctx.env.TWELVE_DATA_KEY;
      if (!apiKey) throw new KfeedError('config', 'the Twelve Data key is not set', { hint: 'set TWELVE_DATA_KEY' });
      const symbols = symbolList('--symbols', options.symbols);
      const crypto = symbolList('--crypto', options.crypto);
      if (!symbols.length && !crypto.length)
        throw usageError(
          '--source twelvedata needs --symbols and/or --crypto',
          'e.g. --symbols AAPL,EUR/USD --crypto BTC/USD',
        );
      const source = twelveDataSource({
        apiKey,
        symbols,
        crypto,
        intervalSeconds: options.interval ?? DEFAULTS.interval,
        creditsPerMinute: options.creditsPerMinute ?? DEFAULTS.creditsPerMinute,
        creditsPerDay: options.creditsPerDay ?? DEFAULTS.creditsPerDay,
        baseUrl: options.apiUrl,
        routing,
        onStatus: (text) => ctx.info(text),
      });
      const assets: AssetClass[] = [
        ...(symbols.length ? ['stock' as const] : []),
        ...(crypto.length ? ['crypto' as const] : []),
      ];
      return { source, topics: topicsFor(['trade'], assets, routing) };
    }
  }
}

export interface ProduceSummary {
  source: string;
  topics: string[];
  sent: number;
  acknowledged: number;
  errors: number;
  seconds: number;
  interrupted: boolean;
}

export async function produceRun(ctx: Context, options: ProduceOptions): Promise<ProduceSummary> {
  const routing: TopicRouting = {
    topic: options.source === 'stdin' ? undefined : options.topic,
    prefix: options.topicPrefix,
  };
  const { source, topics } = await buildSource(ctx, options, routing);
  const settings = await ctx.connection(connectionFlags(options));
  const { withAdmin } = await import('../kafka/client.js');
  const { requireTopics } = await import('../kafka/topics.js');
  await withAdmin(settings, (admin) => requireTopics(admin, topics, settings));

  const { createFeedProducer } = await import('../feed/producer.js');
  const { pumpFeed } = await import('../feed/pipeline.js');
  const producerOptions: FeedProducerOptions = {
    idempotent: options.idempotent,
    acks: producerAcks(options),
    compression: options.compression,
    lingerMs: options.lingerMs,
    batchSize: options.batchSize,
  };
  const producer = await createFeedProducer(settings, producerOptions);

  // The source stops on Ctrl-C, at --duration or at --count; the producer then flushes.
  const status = liveStatus(ctx, () => producer.stats());
  const { stats, elapsedMs, failure } = await pumpFeed(source, producer, {
    signal: ctx.abort.signal,
    count: options.count,
    durationSeconds: options.duration,
  });
  status.stop();
  const summary: ProduceSummary = {
    source: source.name,
    topics,
    sent: stats.sent,
    acknowledged: stats.acknowledged,
    errors: stats.errors,
    seconds: elapsedMs / 1000,
    interrupted: ctx.abort.signal.aborted,
  };
  if (failure) {
    // What went out is reported before the failure that ended the run.
    printResult(ctx, produceCommand, summary);
    throw failure;
  }
  return summary;
}

/** A status line on a terminal (messages, rate, errors), redrawn twice a second. */
function liveStatus(ctx: Context, stats: () => ProducerStats): { stop(): void } {
  const stream = ctx.io.stderr;
  if (!stream.isTTY || ctx.json) return { stop() {} };
  let last = { at: Date.now(), acknowledged: 0 };
  let rate = 0;
  const draw = () => {
    const s = stats();
    const now = Date.now();
    if (now - last.at >= 1000) {
      rate = Math.round(((s.acknowledged - last.acknowledged) * 1000) / (now - last.at));
      last = { at: now, acknowledged: s.acknowledged };
    }
    stream.write(`\r\x1b[2Kmessages ${s.acknowledged}  rate ${rate}/s  pending ${s.pending}  errors ${s.errors}`);
  };
  const timer = setInterval(draw, 500);
  return {
    stop() {
      clearInterval(timer);
      stream.write('\r\x1b[2K');
    },
  };
}
