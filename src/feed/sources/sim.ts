import type { BarEvent, FeedRecord, MarketEvent, MarketKind, QuoteEvent, TopicRouting, TradeEvent } from '../schema.js';
import { marketRecord } from '../schema.js';
import { dueAtMs, recordsDue } from '../pacing.js';
import { pause, type Emit, type FeedSource } from './source.js';

export const DEFAULT_SIM_SYMBOLS = ['AAPL', 'MSFT', 'AMZN', 'NVDA', 'GOOGL', 'TSLA'];

const START_PRICES: Record<string, number> = {
  AAPL: 228,
  MSFT: 415,
  AMZN: 186,
  NVDA: 121,
  GOOGL: 164,
  TSLA: 251,
  'BTC/USD': 67000,
  'ETH/USD': 2600,
};
const EXCHANGES = ['V', 'Q', 'N', 'P', 'Z', 'K'];

export interface SimOptions {
  symbols: string[];
  /** Records per second (quotes, trades and bars together); 0 means as fast as the producer takes them. */
  rate: number;
  seed: number;
  /** Stop after this many records (quotes, trades and bars together). */
  count?: number;
  /** The simulated clock's start (default: now). Event times advance 1/rate s per record. */
  startTime?: number;
  /** Receive times from this clock (tests pin it for identical output). */
  now?: () => number;
  routing: TopicRouting;
  /**
   * Only these kinds are sent (default all). The market is the same whatever is sent (same seed,
   * same records), so its clock moves with every record made, and `rate` and `count` count the
   * records sent.
   */
  kinds?: MarketKind[];
}

/** mulberry32: a small, fast, seedable generator; the same seed gives the same market. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const cents = (n: number) => Math.round(n * 100) / 100;

function startPrice(symbol: string): number {
  if (Object.hasOwn(START_PRICES, symbol)) return START_PRICES[symbol];
  let h = 0;
  for (const c of symbol) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return 20 + (h % 480);
}

interface SymbolState {
  mid: number;
  bar?: {
    minute: number;
    open: number;
    high: number;
    low: number;
    close: number;
    volume: number;
    count: number;
    notional: number;
  };
}

/**
 * A simulated market that needs no account: a random walk per symbol, quotes with
 * bid < ask, trades at prices inside the spread, and one-minute bars built from exactly
 * those trades (emitted when the minute is over). Everything, bars included, follows the
 * simulated clock, so the same seed gives the same records whatever the wall clock does.
 */
export class MarketSimulator {
  private readonly next: () => number;
  private readonly states = new Map<string, SymbolState>();
  private readonly intervalMs: number;
  private index = 0;
  private records = 0;
  private readonly start: number;

  constructor(private readonly options: Pick<SimOptions, 'symbols' | 'rate' | 'seed' | 'startTime' | 'now'>) {
    this.next = random(options.seed);
    this.start = options.startTime ?? Date.now();
    // The simulated clock moves 1/rate s per record; unthrottled, 100 ms per record so minutes (and bars) pass.
    this.intervalMs = options.rate > 0 ? 1000 / options.rate : 100;
    for (const symbol of options.symbols) this.states.set(symbol, { mid: startPrice(symbol) });
  }

  /** The events of the next tick: a quote, perhaps a trade, perhaps the bar of a finished minute. */
  tick(): MarketEvent[] {
    const r = this.next;
    const symbol = this.options.symbols[Math.floor(r() * this.options.symbols.length)];
    const state = this.states.get(symbol)!;
    const sinceStart = this.records * this.intervalMs;
    const eventMs = this.start + sinceStart;
    this.index += 1;
    const eventTime = new Date(Math.floor(eventMs)).toISOString();
    const receiveTime = new Date(this.options.now?.() ?? Date.now()).toISOString();
    const asset = symbol.includes('/') ? 'crypto' : 'stock';
    const events: MarketEvent[] = [];

    // A bar is published once its minute of the simulated clock (counted from its start) has passed.
    const minute = Math.floor(sinceStart / 60_000);
    if (state.bar && state.bar.minute < minute) {
      const b = state.bar;
      const bar: BarEvent = {
        kind: 'bar',
        symbol,
        asset,
        eventTime: new Date(Math.floor(this.start + b.minute * 60_000)).toISOString(),
        receiveTime,
        open: b.open,
        high: b.high,
        low: b.low,
        close: b.close,
        volume: b.volume,
        tradeCount: b.count,
        vwap: Math.round((b.notional / b.volume) * 10000) / 10000,
      };
      events.push(bar);
      state.bar = undefined;
    }

    // Random walk of the mid price: a few basis points per step, never below a cent.
    state.mid = Math.max(0.05, state.mid * (1 + (r() - 0.5) * 0.0008));
    const spread = Math.max(0.01, cents(state.mid * 0.0003));
    const bidPrice = cents(state.mid - spread / 2);
    const askPrice = cents(bidPrice + spread);
    const quote: QuoteEvent = {
      kind: 'quote',
      symbol,
      asset,
      eventTime,
      receiveTime,
      bidPrice,
      bidSize: 100 * (1 + Math.floor(r() * 9)),
      askPrice,
      askSize: 100 * (1 + Math.floor(r() * 9)),
      bidExchange: EXCHANGES[Math.floor(r() * EXCHANGES.length)],
      askExchange: EXCHANGES[Math.floor(r() * EXCHANGES.length)],
    };
    events.push(quote);

    if (r() < 0.5) {
      const price = cents(bidPrice + Math.round(r() * (askPrice - bidPrice) * 100) / 100);
      const size = 1 + Math.floor(r() * 500);
      const trade: TradeEvent = {
        kind: 'trade',
        symbol,
        asset,
        eventTime,
        receiveTime,
        price,
        size,
        exchange: EXCHANGES[Math.floor(r() * EXCHANGES.length)],
        tradeId: String(this.index),
      };
      events.push(trade);
      const b = (state.bar ??= {
        minute,
        open: price,
        high: price,
        low: price,
        close: price,
        volume: 0,
        count: 0,
        notional: 0,
      });
      b.high = Math.max(b.high, price);
      b.low = Math.min(b.low, price);
      b.close = price;
      b.volume += size;
      b.count += 1;
      b.notional += price * size;
    }
    this.records += events.length;
    return events;
  }

  get ticks(): number {
    return this.index;
  }
}

export function simSource(options: SimOptions): FeedSource {
  return {
    name: 'sim',
    async run(emit: Emit, signal: AbortSignal) {
      const market = new MarketSimulator(options);
      const began = Date.now();
      let emitted = 0;
      const limit = options.count ?? Infinity;
      // Records a tick made beyond what was due wait for the next round, so the pace is records/s.
      let pending: FeedRecord[] = [];
      while (!signal.aborted && emitted < limit) {
        // Emit everything that is due by now (up to 500 at a time unthrottled), then sleep a little.
        const due = Math.min(limit, options.rate > 0 ? recordsDue(Date.now() - began, options.rate) : emitted + 500);
        while (emitted + pending.length < due) {
          for (const event of market.tick()) {
            if (!options.kinds || options.kinds.includes(event.kind))
              pending.push(marketRecord(event, 'sim', options.routing));
          }
        }
        const room = due - emitted;
        const batch = pending.length > room ? pending.slice(0, room) : pending;
        pending = batch === pending ? [] : pending.slice(room);
        if (batch.length) {
          await emit(batch);
          emitted += batch.length;
        }
        if (options.rate > 0)
          await pause(Math.max(1, Math.min(50, dueAtMs(emitted, options.rate) - (Date.now() - began))), signal);
      }
    },
  };
}
