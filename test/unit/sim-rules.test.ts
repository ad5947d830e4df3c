import { describe, expect, it } from 'vitest';
import type { BarEvent, MarketEvent, QuoteEvent, TradeEvent } from '../../src/feed/schema.js';
import { MarketSimulator } from '../../src/feed/sources/sim.js';

const START = Date.UTC(2025, 0, 2, 14, 30);

/** Ticks of a simulator, each tick's events kept together. */
function ticks(options: { symbols: string[]; rate: number; seed?: number }, n: number): MarketEvent[][] {
  const sim = new MarketSimulator({ seed: 7, startTime: START, now: () => START + 5, ...options });
  return Array.from({ length: n }, () => sim.tick());
}

/**
 * 3,000 ticks of four symbols, built inside each test that reads them (not once for the file):
 * StrykerJS switches a mutant on per test, so data built outside a test never sees it.
 */
function market() {
  const all = ticks({ symbols: ['AAPL', 'MSFT', 'BTC/USD', 'ZZZ'], rate: 10 }, 3000);
  const events = all.flat();
  return {
    all,
    events,
    quotes: events.filter((e): e is QuoteEvent => e.kind === 'quote'),
    trades: events.filter((e): e is TradeEvent => e.kind === 'trade'),
    bars: events.filter((e): e is BarEvent => e.kind === 'bar'),
  };
}

describe('the simulated market rules', () => {
  it('every tick quotes one symbol; the simulated clock moves 1/rate s per record; receive times from the clock given', () => {
    const { all, events, quotes } = market();
    let recordsBefore = 0;
    all.forEach((tick) => {
      const quote = tick.find((e) => e.kind === 'quote')!;
      expect(tick.filter((e) => e.kind === 'quote')).toHaveLength(1);
      expect(quote.eventTime).toBe(new Date(START + recordsBefore * 100).toISOString());
      recordsBefore += tick.length;
      expect(quote.receiveTime).toBe(new Date(START + 5).toISOString());
    });
    expect(new Set(quotes.map((q) => q.symbol))).toEqual(new Set(['AAPL', 'MSFT', 'BTC/USD', 'ZZZ']));
    expect(events.every((e) => e.asset === (e.symbol.includes('/') ? 'crypto' : 'stock'))).toBe(true);
  });

  it('quotes: bid below ask by at least a cent, whole cents, round-lot sizes, known exchanges, prices near the start', () => {
    const { quotes } = market();
    for (const q of quotes) {
      expect(q.askPrice - q.bidPrice).toBeGreaterThanOrEqual(0.0099);
      expect(Math.round(q.bidPrice * 100) / 100).toBe(q.bidPrice);
      expect(Math.round(q.askPrice * 100) / 100).toBe(q.askPrice);
      for (const size of [q.bidSize, q.askSize]) {
        expect(size % 100).toBe(0);
        expect(size).toBeGreaterThanOrEqual(100);
        expect(size).toBeLessThanOrEqual(900);
      }
      expect(['V', 'Q', 'N', 'P', 'Z', 'K']).toContain(q.bidExchange);
      expect(['V', 'Q', 'N', 'P', 'Z', 'K']).toContain(q.askExchange);
    }
    const first = (symbol: string) => quotes.find((q) => q.symbol === symbol)!;
    expect(first('AAPL').bidPrice).toBeGreaterThan(228 * 0.999);
    expect(first('AAPL').askPrice).toBeLessThan(228 * 1.001);
    expect(first('BTC/USD').bidPrice).toBeGreaterThan(67000 * 0.999);
    // The spread is 3 basis points of the price (at least a cent).
    expect(first('BTC/USD').askPrice - first('BTC/USD').bidPrice).toBeCloseTo(67000 * 0.0003, 0);
    const zzz = first('ZZZ').bidPrice;
    expect(zzz).toBeGreaterThanOrEqual(19.9);
    expect(zzz).toBeLessThanOrEqual(500);
    // A random walk of a few basis points a step: consecutive mids stay close, and the price moves.
    const aapl = quotes.filter((q) => q.symbol === 'AAPL').map((q) => (q.bidPrice + q.askPrice) / 2);
    for (let i = 1; i < aapl.length; i++) expect(Math.abs(aapl[i] / aapl[i - 1] - 1)).toBeLessThan(0.0006);
    expect(new Set(aapl).size).toBeGreaterThan(aapl.length / 10);
  });

  it('trades: about every other tick, inside the spread of the same tick, in whole cents, 1 to 500 shares', () => {
    const { all, trades } = market();
    expect(trades.length).toBeGreaterThan(all.length * 0.4);
    expect(trades.length).toBeLessThan(all.length * 0.6);
    for (const tick of all) {
      const trade = tick.find((e): e is TradeEvent => e.kind === 'trade');
      if (!trade) continue;
      const quote = tick.find((e): e is QuoteEvent => e.kind === 'quote')!;
      expect(trade.symbol).toBe(quote.symbol);
      expect(trade.eventTime).toBe(quote.eventTime);
      expect(trade.price).toBeGreaterThanOrEqual(quote.bidPrice);
      expect(trade.price).toBeLessThanOrEqual(quote.askPrice);
      expect(Math.round(trade.price * 100) / 100).toBe(trade.price);
      expect(Number.isInteger(trade.size)).toBe(true);
      expect(trade.size).toBeGreaterThanOrEqual(1);
      expect(trade.size).toBeLessThanOrEqual(500);
      expect(['V', 'Q', 'N', 'P', 'Z', 'K']).toContain(trade.exchange);
    }
    expect(new Set(trades.map((t) => t.price)).size).toBeGreaterThan(50);
    expect(Math.max(...trades.map((t) => t.size!))).toBeGreaterThan(400);
    const tradeIds = trades.map((t) => Number(t.tradeId));
    expect(new Set(tradeIds).size).toBe(trades.length);
  });

  it('a bar comes after its minute, at the first tick of its symbol, and agrees with exactly its trades', () => {
    const { all, trades, bars } = market();
    expect(bars.length).toBeGreaterThanOrEqual(4 * 3);
    for (const bar of bars) {
      const start = Date.parse(bar.eventTime);
      expect(start % 60_000).toBe(0);
      const inBar = trades.filter(
        (t) => t.symbol === bar.symbol && Date.parse(t.eventTime) >= start && Date.parse(t.eventTime) < start + 60_000,
      );
      expect(bar.tradeCount).toBe(inBar.length);
      expect(bar.volume).toBe(inBar.reduce((sum, t) => sum + t.size!, 0));
      expect([bar.open, bar.close]).toEqual([inBar[0].price, inBar[inBar.length - 1].price]);
      expect(bar.high).toBe(Math.max(...inBar.map((t) => t.price)));
      expect(bar.low).toBe(Math.min(...inBar.map((t) => t.price)));
      const vwap = inBar.reduce((sum, t) => sum + t.price * t.size!, 0) / bar.volume;
      expect(bar.vwap).toBeCloseTo(vwap, 4);
      expect(Math.round(bar.vwap! * 10000) / 10000).toBe(bar.vwap);
    }
    for (let i = 0; i < all.length; i++) {
      const bar = all[i].find((e): e is BarEvent => e.kind === 'bar');
      if (!bar) continue;
      const quote = all[i].find((e) => e.kind === 'quote')!;
      expect(bar.symbol).toBe(quote.symbol);
      expect(Date.parse(quote.eventTime)).toBeGreaterThanOrEqual(Date.parse(bar.eventTime) + 60_000);
      expect(all[i].indexOf(bar)).toBe(0);
    }
  });

  it('unthrottled (rate 0) the clock moves 100 ms a tick; paced, 1/rate s a record', () => {
    const fast = new MarketSimulator({ symbols: ['AAPL'], rate: 0, seed: 1, startTime: START });
    const first = fast.tick();
    expect(first[0].eventTime).toBe(new Date(START).toISOString());
    expect(fast.tick()[0].eventTime).toBe(new Date(START + 100 * first.length).toISOString());
    expect(fast.ticks).toBe(2);
    const paced = new MarketSimulator({ symbols: ['AAPL'], rate: 4, seed: 1, startTime: START });
    expect(paced.ticks).toBe(0);
    const one = paced.tick();
    expect(paced.tick()[0].eventTime).toBe(new Date(START + 250 * one.length).toISOString());
    const before = Date.now();
    const wall = new MarketSimulator({ symbols: ['AAPL'], rate: 1, seed: 1 });
    const event = wall.tick()[0];
    expect(Date.parse(event.eventTime)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.receiveTime)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(event.receiveTime)).toBeLessThanOrEqual(Date.now());
  });

  it('the same seed gives the same market; another seed another one', () => {
    expect(ticks({ symbols: ['AAPL', 'ETH/USD'], rate: 1, seed: 3 }, 300)).toEqual(
      ticks({ symbols: ['AAPL', 'ETH/USD'], rate: 1, seed: 3 }, 300),
    );
    expect(ticks({ symbols: ['AAPL'], rate: 1, seed: 3 }, 50)).not.toEqual(
      ticks({ symbols: ['AAPL'], rate: 1, seed: 4 }, 50),
    );
  });
});

/** mulberry32 as published (the simulator's documented generator), written out here as the oracle. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

describe("the first tick, computed from the rules and the seed's draws", () => {
  const toCents = (n: number) => Math.round(n * 100) / 100;
  const exchanges = ['V', 'Q', 'N', 'P', 'Z', 'K'];

  it.each([
    [['AAPL', 'MSFT'], 11],
    [['ZZZ', 'QQQQ', 'BTC/USD'], 5],
    [['ETH/USD'], 42],
    [['ZZZ'], 3], // an unlisted symbol: the hash rule
  ])('%j with seed %i', (symbols, seed) => {
    const r = mulberry32(seed);
    const symbol = symbols[Math.floor(r() * symbols.length)];
    // Known symbols start at their listed price; others at 20 + (a 31-hash of the name) % 480.
    const listed: Record<string, number> = { AAPL: 228, MSFT: 415, 'BTC/USD': 67000, 'ETH/USD': 2600 };
    let hash = 0;
    for (const c of symbol) hash = (hash * 31 + c.charCodeAt(0)) >>> 0;
    const start = listed[symbol] ?? 20 + (hash % 480);
    // One step of the walk (±4 bp at most), a 3 bp spread of at least a cent, bid and ask in cents.
    const mid = start * (1 + (r() - 0.5) * 0.0008);
    const spread = Math.max(0.01, toCents(mid * 0.0003));
    const bidPrice = toCents(mid - spread / 2);
    const askPrice = toCents(bidPrice + spread);
    const asset = symbol.includes('/') ? 'crypto' : 'stock';
    const time = new Date(START).toISOString();
    const quote = {
      kind: 'quote',
      symbol,
      asset,
      eventTime: time,
      receiveTime: new Date(START + 5).toISOString(),
      bidPrice,
      bidSize: 100 * (1 + Math.floor(r() * 9)),
      askPrice,
      askSize: 100 * (1 + Math.floor(r() * 9)),
      bidExchange: exchanges[Math.floor(r() * 6)],
      askExchange: exchanges[Math.floor(r() * 6)],
    };
    const expected: object[] = [quote];
    if (r() < 0.5) {
      expected.push({
        kind: 'trade',
        symbol,
        asset,
        eventTime: time,
        receiveTime: quote.receiveTime,
        price: toCents(bidPrice + Math.round(r() * (askPrice - bidPrice) * 100) / 100),
        size: 1 + Math.floor(r() * 500),
        exchange: exchanges[Math.floor(r() * 6)],
        tradeId: '1',
      });
    }
    const [tick] = ticks({ symbols, rate: 10, seed }, 1);
    expect(tick).toEqual(expected);
  });
});
