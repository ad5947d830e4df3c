import type { QuoteEvent } from '../feed/schema.js';
import { KfeedError } from '../errors.js';

/** Symbols the benchmark's quotes are for; the record key is the symbol, as in the real feed. */
export const BENCH_SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'NVDA', 'GOOGL', 'TSLA', 'META', 'AMD'];

export interface BenchMessage {
  key: string;
  value: Buffer;
}

const PAD_FIELD = ',"pad":""';

/** A seedable generator (mulberry32) so every run sends the same bytes. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The quote as the feed's schema writes it, then leaner forms for small sizes: optional
 * fields go first; kind, symbol, event time, prices and sizes are always there.
 */
function quoteForms(quote: QuoteEvent): string[] {
  const { tape, bidExchange, askExchange, receiveTime, asset, ...core } = quote;
  return [
    { ...core, asset, receiveTime, bidExchange, askExchange, tape },
    { ...core, asset, receiveTime, bidExchange, askExchange },
    { ...core, asset, receiveTime },
    { ...core, asset },
    core,
  ].map((form) => JSON.stringify(form));
}

function randomQuote(symbol: string, index: number, next: () => number): QuoteEvent {
  const bidPrice = Math.round((20 + next() * 500) * 100) / 100;
  const askPrice = Math.round((bidPrice + 0.01 + Math.floor(next() * 5) / 100) * 100) / 100;
  const time = new Date(Date.UTC(2025, 0, 2, 14, 30) + index * 7).toISOString();
  return {
    kind: 'quote',
    symbol,
    asset: 'stock',
    eventTime: time,
    receiveTime: time,
    bidPrice,
    bidSize: 100 * (1 + Math.floor(next() * 9)),
    askPrice,
    askSize: 100 * (1 + Math.floor(next() * 9)),
    bidExchange: 'VQNPZK'[Math.floor(next() * 6)],
    askExchange: 'VQNPZK'[Math.floor(next() * 6)],
    tape: 'C',
  };
}

/** The smallest size every generated quote fits in: the leanest form at its widest. */
export const MIN_PAYLOAD_SIZE = Buffer.byteLength(
  quoteForms({
    ...randomQuote('GOOGL', 0, () => 0.5),
    bidPrice: 999.99,
    askPrice: 999.99,
    bidSize: 900,
    askSize: 900,
  }).at(-1)!,
);

function padTo(json: string, size: number, next: () => number): string {
  const gap = size - Buffer.byteLength(json);
  if (gap === 0) return json;
  if (gap >= PAD_FIELD.length) {
    // Random letters rather than one repeated byte, so compression sees realistic entropy.
    const pad = Buffer.allocUnsafe(gap - PAD_FIELD.length);
    for (let i = 0; i < pad.length; i++) pad[i] = 97 + Math.floor(next() * 26);
    return `${json.slice(0, -1)},"pad":"${pad.toString('latin1')}"}`;
  }
  // Too little room for a field: JSON allows whitespace before the closing brace.
  return `${json.slice(0, -1)}${' '.repeat(gap)}}`;
}

/** At most this many bytes of distinct messages: 1024 of 10 MB would be 10 GB built in one go. */
const POOL_BYTES = 16 * 1024 * 1024;

/**
 * `variety` different quote-shaped JSON messages of exactly `size` bytes each (fewer for large
 * sizes: at most POOL_BYTES in all, at least one), keyed by symbol. The benchmark cycles
 * through them; the same seed gives the same messages.
 */
export function quoteMessages(size: number, variety = 1024, seed = 1): BenchMessage[] {
  if (size < MIN_PAYLOAD_SIZE) {
    throw new KfeedError('usage', `--size ${size} is too small for a quote-shaped JSON message`, {
      hint: `use --size ${MIN_PAYLOAD_SIZE} or more`,
    });
  }
  const next = seeded(seed);
  const messages: BenchMessage[] = [];
  const count = Math.max(1, Math.min(variety, Math.floor(POOL_BYTES / size)));
  for (let i = 0; i < count; i++) {
    const symbol = BENCH_SYMBOLS[i % BENCH_SYMBOLS.length];
    const forms = quoteForms(randomQuote(symbol, i, next));
    const fitting = forms.find((form) => Buffer.byteLength(form) <= size) ?? forms[forms.length - 1];
    messages.push({ key: symbol, value: Buffer.from(padTo(fitting, size, next)) });
  }
  return messages;
}
