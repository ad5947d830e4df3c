import { describe, expect, it } from 'vitest';
import type { BarEvent, QuoteEvent, TradeEvent } from '../../src/feed/schema.js';
import { MarketSimulator } from '../../src/feed/sources/sim.js';

const START = Date.UTC(2025, 0, 2, 14, 30);

describe('the simulated market, pinned values', () => {
  it("a symbol named like an object's own property (constructor, toString) is an unlisted symbol", () => {
    for (const symbol of ['constructor', 'toString', '__proto__']) {
      const [quote] = new MarketSimulator({ symbols: [symbol], rate: 10, seed: 5, startTime: START }).tick();
      expect(quote.kind).toBe('quote');
      const { bidPrice, askPrice } = quote as QuoteEvent;
      // It once started from the function Object.prototype[symbol]: every price was null.
      expect(bidPrice).toBeGreaterThan(19);
      expect(askPrice).toBeLessThan(501);
    }
  });

  it('an unlisted symbol starts at 20 + (its 31-hash % 480): ZZZ at 110; a listed one at its price', () => {
    // 'Z' is 90: ((90 × 31 + 90) × 31 + 90) = 89,370, and 89,370 % 480 = 90.
    const firstQuote = (symbol: string) =>
      new MarketSimulator({ symbols: [symbol], rate: 10, seed: 5, startTime: START, now: () => START })
        .tick()
        .find((e): e is QuoteEvent => e.kind === 'quote')!;
    const zzz = firstQuote('ZZZ');
    // One step of the walk (at most 4 bp) and cents rounding away from 110.
    expect((zzz.bidPrice + zzz.askPrice) / 2).toBeGreaterThan(110 * 0.9996 - 0.01);
    expect((zzz.bidPrice + zzz.askPrice) / 2).toBeLessThan(110 * 1.0004 + 0.01);
    // A 3 bp spread of 110 is 3 cents.
    expect(Math.round((zzz.askPrice - zzz.bidPrice) * 100)).toBe(3);
    const msft = firstQuote('MSFT');
    expect((msft.bidPrice + msft.askPrice) / 2).toBeGreaterThan(415 * 0.9996 - 0.01);
    expect((msft.bidPrice + msft.askPrice) / 2).toBeLessThan(415 * 1.0004 + 0.01);
    expect(Math.round((msft.askPrice - msft.bidPrice) * 100)).toBe(12);
  });

  it("bars are counted in minutes from the simulated start (not the wall clock's minutes), each out at its minute's end", () => {
    const start = START + 12_345;
    const sim = new MarketSimulator({ symbols: ['AAPL'], rate: 10, seed: 9, startTime: start, now: () => START });
    const all = Array.from({ length: 1300 }, () => sim.tick());
    const bars = all.flat().filter((e): e is BarEvent => e.kind === 'bar');
    expect(bars.map((b) => b.eventTime)).toEqual(
      [0, 1, 2].map((minute) => new Date(start + minute * 60_000).toISOString()),
    );
    const trades = all.flat().filter((e): e is TradeEvent => e.kind === 'trade');
    for (const bar of bars) {
      const from = Date.parse(bar.eventTime);
      const at = all.findIndex((tick) => tick.includes(bar));
      // Out with the first tick at or after the minute's end, not a tick earlier.
      expect(Date.parse(all[at][1].eventTime)).toBeGreaterThanOrEqual(from + 60_000);
      expect(Date.parse(all[at - 1].find((e) => e.kind === 'quote')!.eventTime)).toBeLessThan(from + 60_000);
      const inBar = trades.filter((t) => Date.parse(t.eventTime) >= from && Date.parse(t.eventTime) < from + 60_000);
      const volume = inBar.reduce((sum, t) => sum + t.size!, 0);
      const notional = inBar.reduce((sum, t) => sum + t.price * t.size!, 0);
      expect(bar).toMatchObject({ volume, tradeCount: inBar.length, open: inBar[0].price });
      // The volume-weighted price, to four decimals.
      expect(bar.vwap).toBe(Math.round((notional / volume) * 10_000) / 10_000);
      expect(bar.low).toBeLessThanOrEqual(Math.min(bar.open, bar.close));
      expect(bar.high).toBeGreaterThanOrEqual(Math.max(bar.open, bar.close));
    }
  });
});
