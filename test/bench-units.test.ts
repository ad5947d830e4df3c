import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../src/bench/histogram.js';
import { MIN_PAYLOAD_SIZE, quoteMessages } from '../src/bench/payload.js';
import { KfeedError } from '../src/errors.js';

describe('latency histogram', () => {
  it('gives percentiles within 1 % and exact min, max and mean', () => {
    const histogram = new LatencyHistogram();
    // 1..10000 µs-steps in shuffled order: ranks must not depend on arrival order.
    const values = Array.from({ length: 10_000 }, (_, i) => (i + 1) / 100);
    for (let i = values.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1);
      [values[i], values[j]] = [values[j], values[i]];
    }
    for (const v of values) histogram.record(v);
    expect(histogram.count).toBe(10_000);
    expect(histogram.min).toBe(0.01);
    expect(histogram.max).toBe(100);
    expect(histogram.mean).toBeCloseTo(50.005, 6);
    for (const [p, exact] of [[50, 50], [95, 95], [99, 99], [99.9, 99.9]] as const) {
      const got = histogram.percentile(p);
      expect(Math.abs(got - exact) / exact, `p${p} = ${got}`).toBeLessThanOrEqual(0.01);
    }
    expect(histogram.percentile(0)).toBe(0.01);
    expect(histogram.percentile(100)).toBe(100);
  });

  it('keeps a heavy tail apart from the bulk', () => {
    const histogram = new LatencyHistogram();
    for (let i = 0; i < 990; i++) histogram.record(1);
    for (let i = 0; i < 10; i++) histogram.record(250);
    expect(histogram.percentile(50)).toBeCloseTo(1, 1);
    expect(histogram.percentile(99)).toBeCloseTo(1, 1);
    expect(histogram.percentile(99.5)).toBeGreaterThan(245);
    expect(histogram.max).toBe(250);
  });

  it('is empty-safe and counts a backwards clock step as zero', () => {
    const histogram = new LatencyHistogram();
    expect([histogram.count, histogram.min, histogram.max, histogram.percentile(99)]).toEqual([0, 0, 0, 0]);
    histogram.record(-0.002);
    histogram.record(Number.NaN);
    expect(histogram.count).toBe(1);
    expect(histogram.min).toBe(0);
  });
});

describe('quote-shaped payloads', () => {
  it('are JSON quotes of exactly the asked size, keyed by their symbol, the same for the same seed', () => {
    for (const size of [MIN_PAYLOAD_SIZE, MIN_PAYLOAD_SIZE + 1, MIN_PAYLOAD_SIZE + 8, 200, 201, 260, 1000, 4096]) {
      const messages = quoteMessages(size, 64);
      expect(messages).toHaveLength(64);
      for (const message of messages) {
        expect(message.value.length, `size ${size}`).toBe(size);
        const quote = JSON.parse(message.value.toString());
        expect(quote).toMatchObject({ kind: 'quote', symbol: message.key });
        expect(quote.askPrice).toBeGreaterThan(quote.bidPrice);
        expect(typeof quote.eventTime).toBe('string');
      }
    }
    const a = quoteMessages(200, 16, 7).map((m) => m.value.toString());
    expect(quoteMessages(200, 16, 7).map((m) => m.value.toString())).toEqual(a);
    expect(new Set(a).size).toBe(16);
    // The default size carries every field of the feed's quote schema.
    expect(Object.keys(JSON.parse(quoteMessages(260, 1)[0].value.toString()))).toEqual(
      expect.arrayContaining(['kind', 'symbol', 'asset', 'eventTime', 'receiveTime', 'bidPrice', 'bidSize', 'askPrice', 'askSize', 'bidExchange', 'askExchange']),
    );
  });

  it('refuses a size too small for a quote, saying the smallest that works', () => {
    expect(() => quoteMessages(MIN_PAYLOAD_SIZE - 1)).toThrowError(KfeedError);
    expect(() => quoteMessages(10)).toThrowError(new RegExp(`too small.*`));
    try {
      quoteMessages(10);
    } catch (error) {
      expect((error as KfeedError).kind).toBe('usage');
      expect((error as KfeedError).line).toContain(`--size ${MIN_PAYLOAD_SIZE}`);
    }
  });
});
