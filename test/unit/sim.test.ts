import { describe, expect, it } from 'vitest';
import { MarketSimulator } from '../../src/feed/sources/sim.js';

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
});
