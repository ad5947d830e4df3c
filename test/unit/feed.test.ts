import { describe, expect, it } from 'vitest';
import { dueAtMs, producerAcks, recordsDue } from '../../src/feed/pacing.js';
import { countInTime, rateText, secondsText } from '../../src/feed/render/summary.js';
import { checkKeySeparator, checkSourceOptions } from '../../src/feed/sources/options.js';
import { expectKfeedError } from '../helpers/assert.js';
import { MarketSimulator } from '../../src/feed/sources/sim.js';

describe('feed rules without a broker', () => {
  it('--rate counts records: due records grow by rate per second, the first at once', () => {
    expect(recordsDue(0, 100)).toBe(1);
    expect(recordsDue(999, 100)).toBe(100);
    expect(recordsDue(2000, 100)).toBe(201);
    expect(recordsDue(500, 0)).toBe(Infinity);
    expect(dueAtMs(150, 100)).toBe(1500);
  });

  it('one acks rule: weaker acks need --no-idempotent', () => {
    expect(() => producerAcks({ acks: '1', idempotent: true })).toThrow(/--acks 1 needs --no-idempotent/);
    expect(producerAcks({ acks: '1', idempotent: false })).toBe(1);
    expect(producerAcks({ acks: 'all', idempotent: true })).toBe(-1);
  });

  it('summaries keep their precision', () => {
    expect(secondsText(412)).toBe('0.412');
    expect(rateText(200, 412)).toBe('485');
    expect(rateText(8, 55_500)).toBe('0.1');
    expect(rateText(1, 55_500)).toBe('0.02');
    expect(countInTime(1, 'message', 2000)).toBe('1 message in 2.000 s (0.5/s)');
  });

  it('an option a source does not take is refused', () => {
    expect(() => checkSourceOptions('stdin', { kinds: 'trades' })).toThrow(/--kinds does not apply to --source stdin/);
    expect(() => checkSourceOptions('sim', { kinds: 'trades' })).not.toThrow();
    expect(() => checkSourceOptions('stdin', { header: [] })).not.toThrow();
    expect(() => checkSourceOptions('stdin', { header: ['a=b'] })).not.toThrow();
    expect(() => checkSourceOptions('alpaca', { header: ['a=b'] })).toThrow(
      /--header does not apply to --source alpaca/,
    );
    expect(() => checkSourceOptions('sim', { rate: 5, seed: 2 })).not.toThrow();
  });

  it('bars follow the simulated clock: the same seed gives the same bars whatever the wall clock', () => {
    const run = (start: number) => {
      const sim = new MarketSimulator({ symbols: ['AAPL', 'MSFT'], rate: 50, seed: 3, startTime: start, now: () => 0 });
      return Array.from({ length: 6000 }, () => sim.tick()).flat();
    };
    // Two starts 17.3 s apart within a minute: wall-clock minutes would cut the bars differently.
    const a = run(Date.UTC(2025, 0, 2, 14, 30, 0));
    const b = run(Date.UTC(2025, 0, 2, 14, 30, 17, 300));
    const bars = (events: typeof a) =>
      events.filter((e) => e.kind === 'bar').map(({ eventTime: _t, receiveTime: _r, ...rest }) => rest);
    expect(bars(a).length).toBeGreaterThan(3);
    expect(bars(a)).toEqual(bars(b));
  });
});

describe('produce -K', () => {
  it('an empty key separator is refused: it would send every line without its key', () => {
    expectKfeedError(() => checkKeySeparator(''), 'usage', '--key-separator is empty', {
      hint: 'pass the text between key and value, e.g. -K : (or leave -K out)',
    });
    expect(() => checkKeySeparator(undefined)).not.toThrow();
    expect(() => checkKeySeparator(':')).not.toThrow();
  });
});
