/**
 * The one message schema every market source produces (documented in the README).
 * Prices and sizes are numbers; times are ISO 8601 strings, the event time keeping the
 * precision the source gave (Alpaca sends nanoseconds), the receive time in milliseconds.
 */
export type MarketKind = 'quote' | 'trade' | 'bar';
export type AssetClass = 'stock' | 'crypto';

interface EventBase {
  kind: MarketKind;
  symbol: string;
  asset: AssetClass;
  /** When the exchange (or the simulator) says it happened. */
  eventTime: string;
  /** When kfeed received it. */
  receiveTime: string;
}

export interface QuoteEvent extends EventBase {
  kind: 'quote';
  bidPrice: number;
  bidSize: number;
  askPrice: number;
  askSize: number;
  bidExchange?: string;
  askExchange?: string;
  conditions?: string[];
  tape?: string;
}

export interface TradeEvent extends EventBase {
  kind: 'trade';
  price: number;
  /** Absent when the source only reports a price (Twelve Data's /price). */
  size?: number;
  exchange?: string;
  conditions?: string[];
  tradeId?: string;
  tape?: string;
  /** Crypto: B (buyer took) or S (seller took). */
  takerSide?: string;
}

export interface BarEvent extends EventBase {
  kind: 'bar';
  /** Bars are one minute; eventTime is the start of the minute. */
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  tradeCount?: number;
  vwap?: number;
}

export type MarketEvent = QuoteEvent | TradeEvent | BarEvent;

/** One Kafka record as kfeed produces it. */
export interface FeedRecord {
  topic: string;
  key?: string | Buffer | null;
  value: string | Buffer;
  headers?: Record<string, string>;
}

export interface TopicRouting {
  /** Every kind on this one topic. */
  topic?: string;
  /** Otherwise `<prefix><kind>`, crypto on `<prefix>crypto_<kind>`. */
  prefix?: string;
}

/** The header that names the source of a market message. */
export const SOURCE_HEADER = 'source';

export function topicFor(event: Pick<MarketEvent, 'kind' | 'asset'>, routing: TopicRouting): string {
  if (routing.topic) return routing.topic;
  return `${routing.prefix ?? ''}${event.asset === 'crypto' ? 'crypto_' : ''}${event.kind}`;
}

/** The topics a source of these kinds and assets writes to. */
export function topicsFor(kinds: MarketKind[], assets: AssetClass[], routing: TopicRouting): string[] {
  const topics = new Set<string>();
  for (const asset of assets) for (const kind of kinds) topics.add(topicFor({ kind, asset }, routing));
  return [...topics];
}

/** A market event as a Kafka record: keyed by symbol, JSON value, source in a header. */
export function marketRecord(event: MarketEvent, source: string, routing: TopicRouting): FeedRecord {
  return {
    topic: topicFor(event, routing),
    key: event.symbol,
    value: JSON.stringify(event),
    headers: { [SOURCE_HEADER]: source },
  };
}

/** Reads a value back as a market event, or undefined when it is not one. */
export function parseMarketEvent(value: Buffer | string | null | undefined): MarketEvent | undefined {
  if (value === null || value === undefined) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(value.toString());
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const event = parsed as Partial<MarketEvent>;
  if (typeof event.symbol !== 'string' || !['quote', 'trade', 'bar'].includes(event.kind as string)) return undefined;
  return event as MarketEvent;
}
