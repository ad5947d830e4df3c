import { afterEach, describe, expect, it } from 'vitest';
import type { FeedRecord } from '../../src/feed/schema.js';
import { twelveDataSource, type TwelveDataOptions } from '../../src/feed/sources/twelvedata.js';
import { startTwelveDataServer, type TwelveDataServer } from '../servers/twelvedata.js';

/**
 * Twelve Data's /price answers, in kfeed's schema: the source runs against the in-process server
 * that speaks Twelve Data's documented format (no broker: the records are collected here).
 */
describe('Twelve Data prices as trade records', () => {
  const servers: TwelveDataServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  const NOW = Date.UTC(2025, 0, 2, 14, 30, 0, 250);

  async function collect(
    server: Partial<Parameters<typeof startTwelveDataServer>[0]>,
    source: Partial<TwelveDataOptions>,
  ) {
    const started = await startTwelveDataServer({ key: 'k', prices: {}, ...server });
    servers.push(started);
    const records: FeedRecord[] = [];
    const statuses: string[] = [];
    const feed = twelveDataSource({
      apiKey: 'k',
      symbols: [],
      intervalSeconds: 1,
      creditsPerMinute: 1000,
      creditsPerDay: 1000,
      baseUrl: `${started.url}/`,
      routing: {},
      onStatus: (text) => statuses.push(text),
      now: () => NOW,
      ...source,
    });
    const stop = new AbortController();
    const error = await feed
      .run(async (batch) => void records.push(...batch), stop.signal)
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    return {
      records,
      statuses,
      error: error as { kind?: string; message?: string } | undefined,
      requests: started.requests,
    };
  }

  it('each price becomes a trade of its symbol, crypto pairs on crypto topics; the day limit ends the run', async () => {
    const run = await collect(
      { prices: { AAPL: ['228.10000', '228.25000'], 'BTC/USD': ['67000.5'] }, perDay: 3 },
      { symbols: ['AAPL'], crypto: ['BTC/USD'], routing: { prefix: 'md.' } },
    );
    const time = new Date(NOW).toISOString();
    const trade = (symbol: string, asset: string, price: number) => ({
      topic: `md.${asset === 'crypto' ? 'crypto_' : ''}trade`,
      key: symbol,
      value: JSON.stringify({ kind: 'trade', symbol, asset, eventTime: time, receiveTime: time, price }),
      headers: { source: 'twelvedata' },
    });
    expect(run.records).toEqual([
      trade('AAPL', 'stock', 228.1),
      trade('BTC/USD', 'crypto', 67000.5),
      trade('AAPL', 'stock', 228.25),
    ]);
    expect(run.requests).toEqual(['AAPL', 'BTC/USD', 'AAPL', 'BTC/USD']);
    expect(run.error).toMatchObject({
      kind: 'denied',
      message:
        'Twelve Data: You have run out of API credits for the day. 3 API credits were used, with the current limit being 3.',
    });
  });

  it('a refused key and an unknown symbol end the run with what Twelve Data said', async () => {
    const badKey = await collect({ key: 'other', prices: { AAPL: ['1'] } }, { symbols: ['AAPL'] });
    expect(badKey.records).toEqual([]);
    expect(badKey.error).toMatchObject({
      kind: 'denied',
      message: 'Twelve Data refused the key: **apikey** parameter is incorrect or not specified.',
    });
    const unknown = await collect({ prices: {} }, { symbols: ['NOPE'] });
    expect(unknown.error).toMatchObject({
      kind: 'usage',
      message: expect.stringMatching(/^Twelve Data: \*\*symbol\*\* not found: NOPE\. /),
    });
    expect(unknown.requests).toEqual(['NOPE']);
  });

  it('an error body is never forwarded: it is reported and the symbol asked again', async () => {
    const run = await collect(
      { prices: { MSFT: ['410.5'] }, failFirst: { MSFT: 1 }, perDay: 2 },
      { symbols: ['MSFT'] },
    );
    expect(run.statuses).toContain('twelvedata MSFT: Internal error, please try again later (code 500); retrying');
    expect(run.records.map((r) => JSON.parse(r.value as string).price)).toEqual([410.5]);
    expect(run.requests).toEqual(['MSFT', 'MSFT', 'MSFT']);
  });

  it('an answer without a number is retried, and symbols are sent URL-encoded', async () => {
    const run = await collect(
      { prices: { 'EUR/USD': ['not a number', '1.0841'] }, perDay: 2 },
      { symbols: ['EUR/USD'] },
    );
    expect(run.statuses).toContain('twelvedata EUR/USD: unexpected answer (HTTP 200); retrying');
    expect(run.records.map((r) => [r.key, JSON.parse(r.value as string).price])).toEqual([['EUR/USD', 1.0841]]);
  });
});
