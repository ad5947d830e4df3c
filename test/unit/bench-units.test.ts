import { describe, expect, it } from 'vitest';
import { LatencyHistogram } from '../../src/bench/histogram.js';
import { MIN_PAYLOAD_SIZE, quoteMessages } from '../../src/bench/payload.js';
import { KfeedError } from '../../src/errors.js';

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
    for (const [p, exact] of [
      [50, 50],
      [95, 95],
      [99, 99],
      [99.9, 99.9],
    ] as const) {
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

  it('counts values beyond its range (24 h) in its last bucket, and keeps their max exactly', () => {
    const histogram = new LatencyHistogram();
    for (const ms of [1, 1e9, 1e9]) histogram.record(ms);
    // The median is one of the two huge values: the top of the range, within 1 %.
    expect(histogram.percentile(50)).toBeGreaterThan(86_400_000 * 0.99);
    expect(histogram.percentile(50)).toBeLessThan(86_400_000 * 1.01);
    expect(histogram.percentile(100)).toBe(1e9);
    expect(histogram.max).toBe(1e9);
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
      expect.arrayContaining([
        'kind',
        'symbol',
        'asset',
        'eventTime',
        'receiveTime',
        'bidPrice',
        'bidSize',
        'askPrice',
        'askSize',
        'bidExchange',
        'askExchange',
      ]),
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

describe("the feed producer's partition hash", () => {
  it("equals the engine's Java-compatible murmur2 on keys and values of every length", async () => {
    const { murmur2 } = await import('../../src/feed/producer.js');
    const { compatibilityPartitioner } = await import('@platformatic/kafka');
    let seed = 12345;
    const byte = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16) & 0xff;
    const inputs = [Buffer.from('AAPL'), Buffer.from('BTC/USD'), Buffer.from('ünïcode ключ')];
    for (let length = 1; length < 300; length++) inputs.push(Buffer.from(Array.from({ length }, byte)));
    for (const input of inputs) {
      expect(murmur2(input) & 0x7fffffff, input.toString('hex')).toBe(
        compatibilityPartitioner(undefined as never, input),
      );
    }
    // Java's DefaultPartitioner test vectors (Utils.murmur2 of these strings).
    expect(murmur2(Buffer.from('21'))).toBe(-973932308);
    expect(murmur2(Buffer.from('foobar'))).toBe(-790332482);
    expect(murmur2(Buffer.from('a-little-bit-long-string'))).toBe(-985981536);
    expect(murmur2(Buffer.from('a-little-bit-longer-string'))).toBe(-1486304829);
    expect(murmur2(Buffer.from('lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8'))).toBe(-58897971);
  });
});
