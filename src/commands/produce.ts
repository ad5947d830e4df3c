import { InvalidArgumentError, Option, type Command } from 'commander';
import type { ConnectionFlags } from '../config/connection.js';
import type { Context } from '../context.js';
import { KfeedError, usageError } from '../errors.js';
import { producerAcks, type AcksChoice } from '../feed/pacing.js';
import type { FeedProducerOptions, ProducerStats } from '../feed/producer.js';
import type { AssetClass, MarketKind, TopicRouting } from '../feed/schema.js';
import type { FeedSource } from '../feed/sources/source.js';
import { collect, connectionFlags, integer, withConnectionOptions } from './options.js';

export const SOURCES = ['stdin', 'sim', 'alpaca', 'twelvedata'] as const;
export type SourceName = (typeof SOURCES)[number];

export interface ProduceOptions extends ConnectionFlags {
  source: SourceName;
  topic?: string;
  topicPrefix?: string;
  keySeparator?: string;
  header: string[];
  symbols?: string;
  crypto?: string;
  kinds: string;
  rate: number;
  seed: number;
  count?: number;
  duration?: number;
  feed: string;
  streamUrl?: string;
  apiUrl?: string;
  interval: number;
  creditsPerMinute: number;
  creditsPerDay: number;
  compression: 'none' | 'gzip';
  idempotent: boolean;
  acks: string;
  lingerMs: number;
  batchSize: number;
}

/** Commander parser for a service's base URL, so a typo fails at once rather than on every retry. */
const baseUrl = (flag: string, schemes: string[], example: string) => (value: string): string => {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !schemes.includes(url.protocol)) throw new InvalidArgumentError(`${flag} must be a URL starting ${schemes.map((s) => `${s}//`).join(' or ')}, such as ${example}`);
  return value;
};

const floatRate = (value: string): number => {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n > 1_000_000) throw usageError('--rate must be a number from 0 (unthrottled) to 1000000');
  return n;
};

export function register(program: Command, ctx: Context): void {
  withConnectionOptions(
    program
      .command('produce')
      .description('send records to Kafka from stdin, a simulated market, Alpaca or Twelve Data')
      .addOption(new Option('-s, --source <name>', 'where records come from').choices(SOURCES).default('stdin'))
      .option('-t, --topic <name>', 'topic for every record (required for stdin; market sources default to one topic per kind)')
      .option('--topic-prefix <prefix>', 'market sources: topics <prefix>quote, <prefix>trade, <prefix>bar (crypto: <prefix>crypto_<kind>)')
      .option('-K, --key-separator <sep>', 'stdin: split each line into key and value at the first <sep>')
      .option('-H, --header <name=value>', 'stdin: header on every record, repeatable', collect, [])
      .option('--symbols <list>', 'comma-separated symbols (sim, alpaca stocks, twelvedata)')
      .option('--crypto <list>', 'alpaca, twelvedata: comma-separated crypto pairs, e.g. BTC/USD,ETH/USD (topics crypto_<kind>)')
      .option('--kinds <list>', 'alpaca: what to subscribe to: trades,quotes,bars', 'trades,quotes,bars')
      .option('--rate <n>', 'sim: records per second (0 = as fast as possible)', floatRate, 20)
      .option('--seed <n>', 'sim: seed of the simulated market (same seed, same market)', integer('--seed', 0, 2 ** 32 - 1), 1)
      .option('-n, --count <n>', 'stop after this many records', integer('--count', 1))
      .option('--duration <seconds>', 'stop after this many seconds', integer('--duration', 1))
      .addOption(new Option('--feed <name>', 'alpaca: stock feed').choices(['iex', 'sip', 'test']).default('iex'))
      .option('--stream-url <url>', 'alpaca: market-data websocket base (default wss://stream.data.alpaca.markets)', baseUrl('--stream-url', ['wss:', 'ws:'], 'wss://stream.data.alpaca.markets'))
      .option('--api-url <url>', 'twelvedata: REST base (default https://api.twelvedata.com)', baseUrl('--api-url', ['https:', 'http:'], 'https://api.twelvedata.com'))
      .option('--interval <seconds>', 'twelvedata: seconds between polls of each symbol', integer('--interval', 1, 86_400), 10)
      .option('--credits-per-minute <n>', "twelvedata: the plan's API credits per minute", integer('--credits-per-minute', 1), 8)
      .option('--credits-per-day <n>', "twelvedata: the plan's API credits per day", integer('--credits-per-day', 1), 800)
      .addOption(new Option('--compression <codec>', 'batch compression').choices(['none', 'gzip']).default('none'))
      .option('--no-idempotent', 'turn off idempotent delivery (then --acks applies)')
      .addOption(new Option('--acks <n>', 'acknowledgements without idempotence').choices(['all', '1', '0']).default('all'))
      .option('--linger-ms <ms>', 'how long a record may wait to be batched', integer('--linger-ms', 0, 10_000), 5)
      .option('--batch-size <n>', 'records per batch at most', integer('--batch-size', 1, 100_000), 1000),
  ).action(async (options: ProduceOptions) => {
    await produceRun(ctx, options);
  });
}

/** A comma-separated flag value; one given but naming nothing is a mistake, not "the default". */
export function symbolList(flag: '--symbols' | '--crypto', value: string | undefined): string[] {
  const items = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  if (value !== undefined && items.length === 0) {
    throw usageError(`${flag} names no symbol`, `give a comma-separated list, e.g. ${flag} ${flag === '--crypto' ? 'BTC/USD,ETH/USD' : 'AAPL,MSFT'}`);
  }
  return items;
}

/** Builds the source the options name; market sources read their keys from the environment. */
async function buildSource(ctx: Context, options: ProduceOptions, routing: TopicRouting): Promise<{ source: FeedSource; topics: string[] }> {
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
      const source = simSource({ symbols, rate: options.rate, seed: options.seed, count: options.count, routing });
      return { source, topics: topicsFor(['quote', 'trade', 'bar'], assets, routing) };
    }
    case 'alpaca': {
      const { alpacaSource, parseAlpacaKinds } = await import('../feed/sources/alpaca.js');
      const key = ctx.env.APCA_API_KEY_ID;
      const secret = ctx.env.APCA_API_SECRET_KEY;
      if (!key || !secret) throw new KfeedError('config', 'Alpaca keys are not set', { hint: 'set APCA_API_KEY_ID and APCA_API_SECRET_KEY' });
      const stocks = symbolList('--symbols', options.symbols);
      const crypto = symbolList('--crypto', options.crypto);
      if (!stocks.length && !crypto.length) throw usageError('--source alpaca needs --symbols and/or --crypto', 'e.g. --symbols AAPL,MSFT --crypto BTC/USD');
      const kinds = parseAlpacaKinds(options.kinds);
      const assets: AssetClass[] = [...(stocks.length ? ['stock' as const] : []), ...(crypto.length ? ['crypto' as const] : [])];
      const source = alpacaSource({
        key,
        secret,
        feed: options.feed as 'iex' | 'sip' | 'test',
        stocks,
        crypto,
        kinds,
        baseUrl: options.streamUrl,
        routing,
        onStatus: (text) => ctx.info(text),
      });
      return { source, topics: topicsFor(kinds.map((k) => k.replace(/s$/, '') as MarketKind), assets, routing) };
    }
    case 'twelvedata': {
      const { twelveDataSource } = await import('../feed/sources/twelvedata.js');
      const apiKey = ctx.env.TWELVE_DATA_KEY;
      if (!apiKey) throw new KfeedError('config', 'the Twelve Data key is not set', { hint: 'set TWELVE_DATA_KEY' });
      const symbols = symbolList('--symbols', options.symbols);
      const crypto = symbolList('--crypto', options.crypto);
      if (!symbols.length && !crypto.length) throw usageError('--source twelvedata needs --symbols and/or --crypto', 'e.g. --symbols AAPL,EUR/USD --crypto BTC/USD');
      const source = twelveDataSource({
        apiKey,
        symbols,
        crypto,
        intervalSeconds: options.interval,
        creditsPerMinute: options.creditsPerMinute,
        creditsPerDay: options.creditsPerDay,
        baseUrl: options.apiUrl,
        routing,
        onStatus: (text) => ctx.info(text),
      });
      const assets: AssetClass[] = [...(symbols.length ? ['stock' as const] : []), ...(crypto.length ? ['crypto' as const] : [])];
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
  if (options.source !== 'stdin' && options.topic && options.topicPrefix) throw usageError('--topic and --topic-prefix exclude each other');
  if (options.source === 'stdin' && options.topicPrefix) throw usageError('--topic-prefix applies to market sources', 'use --topic with stdin');
  const routing: TopicRouting = { topic: options.source === 'stdin' ? undefined : options.topic, prefix: options.topicPrefix };
  const { source, topics } = await buildSource(ctx, options, routing);
  const settings = await ctx.connection(connectionFlags(options));
  const { withAdmin } = await import('../kafka/client.js');
  const { requireTopics } = await import('../kafka/topics.js');
  await withAdmin(settings, (admin) => requireTopics(admin, topics));

  const { createFeedProducer } = await import('../feed/producer.js');
  const { pumpFeed } = await import('../feed/pipeline.js');
  const producerOptions: FeedProducerOptions = {
    idempotent: options.idempotent,
    acks: producerAcks(options as unknown as AcksChoice),
    compression: options.compression,
    lingerMs: options.lingerMs,
    batchSize: options.batchSize,
  };
  const producer = await createFeedProducer(settings, producerOptions);

  // The source stops on Ctrl-C, at --duration or at --count; the producer then flushes.
  const status = liveStatus(ctx, () => producer.stats());
  const { stats, elapsedMs, failure } = await pumpFeed(source, producer, { signal: ctx.abort.signal, count: options.count, durationSeconds: options.duration });
  status.stop();
  const summary: ProduceSummary = {
    source: source.name,
    topics,
    sent: stats.sent,
    acknowledged: stats.acknowledged,
    errors: stats.errors,
    seconds: Math.round(elapsedMs / 100) / 10,
    interrupted: ctx.abort.signal.aborted,
  };
  if (ctx.json) ctx.printJson(summary);
  else {
    const rate = summary.seconds > 0 ? Math.round(summary.acknowledged / summary.seconds) : summary.acknowledged;
    ctx.print(
      `produced ${summary.acknowledged} message${summary.acknowledged === 1 ? '' : 's'} to ${topics.join(', ')} in ${summary.seconds} s (${rate}/s)` +
        (summary.errors ? `; ${summary.errors} not delivered` : '') +
        (summary.interrupted ? '; interrupted' : ''),
    );
  }
  if (failure) throw failure;
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
