import { describe, expect, it } from 'vitest';
import type { FeedRecord, MarketKind } from '../../src/feed/schema.js';
import { MarketSimulator, simSource } from '../../src/feed/sources/sim.js';

describe('the simulated market', () => {
  it('the same seed gives the same market', () => {
    const run = (seed: number) => {
      const sim = new MarketSimulator({
        symbols: ['AAPL', 'BTC/USD'],
        rate: 1,
        seed,
        startTime: Date.UTC(2025, 0, 2, 14, 30),
        now: () => 0,
      });
      return Array.from({ length: 200 }, () => sim.tick()).flat();
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
    expect(run(42).find((e) => e.symbol === 'BTC/USD')?.asset).toBe('crypto');
  });

  it('--kinds sends only those kinds, of the same market: the others are left out, nothing else changes', async () => {
    const records = async (count: number, kinds?: MarketKind[]) => {
      const sent: FeedRecord[] = [];
      const source = simSource({
        symbols: ['AAPL', 'MSFT'],
        rate: 0,
        seed: 5,
        startTime: Date.UTC(2025, 0, 2, 14, 30),
        now: () => 0,
        count,
        routing: {},
        kinds,
      });
      await source.run(async (batch) => void sent.push(...batch), new AbortController().signal);
      return sent;
    };
    const all = await records(3000);
    expect(new Set(all.map((r) => r.topic))).toEqual(new Set(['quote', 'trade', 'bar']));
    const quotesAndTrades = await records(400, ['quote', 'trade']);
    expect(quotesAndTrades).toHaveLength(400);
    expect(quotesAndTrades).toEqual(all.filter((r) => r.topic !== 'bar').slice(0, 400));
    expect(quotesAndTrades[0].headers).toEqual({ source: 'sim' });
    const bars = await records(5, ['bar']);
    expect(bars).toEqual(all.filter((r) => r.topic === 'bar').slice(0, 5));
  });
});
