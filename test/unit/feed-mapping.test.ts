import { describe, expect, it } from 'vitest';
import { marketRecord, parseMarketEvent, topicFor, topicsFor, type MarketEvent } from '../../src/feed/schema.js';
import { alpacaEvent } from '../../src/feed/sources/alpaca.js';
import { KIND_NAMES, kindOf, parseKinds } from '../../src/feed/sources/options.js';
import { objectKey } from '../../src/feed/sinks/layouts.js';
import { parseS3Url } from '../../src/feed/sinks/s3.js';
import { expectKfeedError } from '../helpers/assert.js';

const RECEIVED = '2025-01-02T14:30:00.123Z';

describe('Alpaca frames in kfeed schema (fields as Alpaca documents them)', () => {
  it('a trade keeps every documented field', () => {
    const frame = {
      T: 't',
      S: 'AAPL',
      i: 52983525029461,
      x: 'V',
      p: 187.33,
      s: 100,
      c: ['@', 'I'],
      t: '2025-01-02T14:29:59.5Z',
      z: 'C',
    };
    expect(alpacaEvent(frame, 'stock', RECEIVED)).toStrictEqual({
      kind: 'trade',
      symbol: 'AAPL',
      asset: 'stock',
      eventTime: '2025-01-02T14:29:59.5Z',
      receiveTime: RECEIVED,
      price: 187.33,
      size: 100,
      exchange: 'V',
      conditions: ['@', 'I'],
      tradeId: '52983525029461',
      tape: 'C',
    });
  });

  it('a crypto trade carries the taker side; missing optional fields stay absent', () => {
    const frame = { T: 't', S: 'BTC/USD', p: '64000.5', s: '0.25', t: '2025-01-02T14:29:59Z', tks: 'B' };
    expect(alpacaEvent(frame, 'crypto', RECEIVED)).toStrictEqual({
      kind: 'trade',
      symbol: 'BTC/USD',
      asset: 'crypto',
      eventTime: '2025-01-02T14:29:59Z',
      receiveTime: RECEIVED,
      price: 64000.5,
      size: 0.25,
      takerSide: 'B',
    });
  });

  it('a quote keeps bid and ask with their exchanges', () => {
    const frame = {
      T: 'q',
      S: 'MSFT',
      bx: 'U',
      bp: 410.1,
      bs: 3,
      ax: 'Q',
      ap: 410.2,
      as: 5,
      c: ['R'],
      z: 'C',
      t: 'T1',
    };
    expect(alpacaEvent(frame, 'stock', RECEIVED)).toStrictEqual({
      kind: 'quote',
      symbol: 'MSFT',
      asset: 'stock',
      eventTime: 'T1',
      receiveTime: RECEIVED,
      bidPrice: 410.1,
      bidSize: 3,
      askPrice: 410.2,
      askSize: 5,
      bidExchange: 'U',
      askExchange: 'Q',
      conditions: ['R'],
      tape: 'C',
    });
    expect(alpacaEvent({ T: 'q', S: 'X', bp: 1, bs: 2, ap: 3, as: 4, t: 'T' }, 'crypto', RECEIVED)).toStrictEqual({
      kind: 'quote',
      symbol: 'X',
      asset: 'crypto',
      eventTime: 'T',
      receiveTime: RECEIVED,
      bidPrice: 1,
      bidSize: 2,
      askPrice: 3,
      askSize: 4,
    });
  });

  it('a bar keeps OHLC, volume, trade count and VWAP (its c is the close, not conditions)', () => {
    const frame = { T: 'b', S: 'NVDA', o: 1, h: 4, l: 0.5, c: 2, v: 1000, n: 12, vw: 2.5, t: '2025-01-02T14:29:00Z' };
    expect(alpacaEvent(frame, 'stock', RECEIVED)).toStrictEqual({
      kind: 'bar',
      symbol: 'NVDA',
      asset: 'stock',
      eventTime: '2025-01-02T14:29:00Z',
      receiveTime: RECEIVED,
      open: 1,
      high: 4,
      low: 0.5,
      close: 2,
      volume: 1000,
      tradeCount: 12,
      vwap: 2.5,
    });
    expect(alpacaEvent({ T: 'b', S: 'N', o: 1, h: 1, l: 1, c: 1, v: 0, t: 'T' }, 'stock', RECEIVED)).toStrictEqual({
      kind: 'bar',
      symbol: 'N',
      asset: 'stock',
      eventTime: 'T',
      receiveTime: RECEIVED,
      open: 1,
      high: 1,
      low: 1,
      close: 1,
      volume: 0,
    });
  });

  it('kinds kfeed does not carry (updated bars, statuses, control messages) give nothing', () => {
    for (const T of ['u', 'd', 's', 'l', 'success', 'subscription', 'error'])
      expect(alpacaEvent({ T, S: 'AAPL' }, 'stock', RECEIVED)).toBeUndefined();
  });

  it('--kinds: known streams, case and spaces ignored, each once; anything else is a usage error', () => {
    expect(parseKinds('trades, Quotes,bars,trades')).toEqual(['trades', 'quotes', 'bars']);
    expect(parseKinds('bars')).toEqual(['bars']);
    expectKfeedError(() => parseKinds('trades,news'), 'usage', '--kinds: "news" is not a kind of record');
    expectKfeedError(() => parseKinds(' , '), 'usage', '--kinds is empty');
    expect(() => parseKinds('')).toThrow(expect.objectContaining({ hint: 'use trades, quotes, bars' }));
    expect(() => parseKinds('x')).toThrow(expect.objectContaining({ hint: 'use trades, quotes, bars' }));
    expect(KIND_NAMES.map(kindOf)).toEqual(['trade', 'quote', 'bar']);
  });
});

describe('market events as Kafka records', () => {
  const trade: MarketEvent = {
    kind: 'trade',
    symbol: 'BTC/USD',
    asset: 'crypto',
    eventTime: 'T',
    receiveTime: 'R',
    price: 1,
  };

  it('topics: kind, crypto_ before crypto kinds, a prefix, or one fixed topic', () => {
    expect(topicFor({ kind: 'quote', asset: 'stock' }, {})).toBe('quote');
    expect(topicFor({ kind: 'trade', asset: 'crypto' }, {})).toBe('crypto_trade');
    expect(topicFor({ kind: 'bar', asset: 'crypto' }, { prefix: 'md.' })).toBe('md.crypto_bar');
    expect(topicFor({ kind: 'bar', asset: 'stock' }, { topic: 'all', prefix: 'md.' })).toBe('all');
    expect(topicsFor(['trade', 'quote'], ['stock', 'crypto'], {})).toEqual([
      'trade',
      'quote',
      'crypto_trade',
      'crypto_quote',
    ]);
    expect(topicsFor(['trade', 'quote'], ['stock', 'crypto'], { topic: 'one' })).toEqual(['one']);
  });

  it('a record is keyed by symbol, holds the event as JSON, and names its source in a header', () => {
    expect(marketRecord(trade, 'alpaca', { prefix: 'x.' })).toEqual({
      topic: 'x.crypto_trade',
      key: 'BTC/USD',
      value: JSON.stringify(trade),
      headers: { source: 'alpaca' },
    });
  });

  it('reads back market events and nothing else', () => {
    expect(parseMarketEvent(Buffer.from(JSON.stringify(trade)))).toEqual(trade);
    expect(parseMarketEvent(JSON.stringify({ kind: 'quote', symbol: 'A' }))).toEqual({ kind: 'quote', symbol: 'A' });
    for (const value of [
      null,
      undefined,
      '',
      'not json',
      '42',
      'null',
      '"text"',
      '{"kind":"news","symbol":"A"}',
      '{"kind":"bar","symbol":1}',
      '{"kind":"bar"}',
    ]) {
      expect(parseMarketEvent(value)).toBeUndefined();
    }
  });
});

describe('S3 locations and object keys', () => {
  it('parses s3://bucket[/prefix] with the prefix ending in one slash', () => {
    expect(parseS3Url('s3://my-bucket')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my-bucket/')).toEqual({ bucket: 'my-bucket', prefix: '' });
    expect(parseS3Url('s3://my.bucket-1/raw/ticks/')).toEqual({ bucket: 'my.bucket-1', prefix: 'raw/ticks/' });
    expect(parseS3Url('s3://abc//raw//')).toEqual({ bucket: 'abc', prefix: 'raw/' });
    expect(parseS3Url('s3://abc///raw/x///')).toEqual({ bucket: 'abc', prefix: 'raw/x/' });
    expect(parseS3Url(`s3://${'a'.repeat(63)}/p`)).toEqual({ bucket: 'a'.repeat(63), prefix: 'p/' });
  });

  it('refuses what is not a bucket name', () => {
    for (const url of [
      'my-bucket',
      'https://my-bucket',
      's3://ab',
      's3://My-Bucket',
      's3://-bucket',
      's3://bucket-',
      `s3://${'a'.repeat(64)}`,
      's3://buc_ket',
      ' s3://bucket',
    ]) {
      expectKfeedError(() => parseS3Url(url), 'usage', `"${url}" is not an S3 location`);
    }
  });

  it('names an object by topic, partition, date and zero-padded first and last offsets', () => {
    expect(objectKey({ bucket: 'b', prefix: 'raw/' }, 'trade', 2, '2025-01-02', '7', '123')).toBe(
      'raw/trade/partition=2/date=2025-01-02/00000000000000000007-00000000000000000123.jsonl',
    );
    expect(
      objectKey({ bucket: 'b', prefix: '' }, 'q', 0, '2025-12-31', '18446744073709551615', '18446744073709551615'),
    ).toBe('q/partition=0/date=2025-12-31/18446744073709551615-18446744073709551615.jsonl');
  });
});
