import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
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

/**
 * Twelve Data's other answers, from a server that replies with the given bodies in turn (its
 * documented error shape: HTTP 200 or the code, `{"code":…,"message":…,"status":"error"}`).
 */
describe("Twelve Data's refusals and an unreachable or silent server", () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
  });

  async function answering(bodies: Array<object | null>): Promise<{ url: string; requests: () => number }> {
    let served = 0;
    const sockets = new Set<Socket>();
    const server = http.createServer((_request, response) => {
      const body = bodies[Math.min(served++, bodies.length - 1)];
      if (body === null) return; // never answers
      const code = (body as { code?: number }).code ?? 200;
      response.writeHead(code, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
    server.on('connection', (socket) => sockets.add(socket));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const socket of sockets) socket.destroy();
          server.close(() => resolve());
        }),
    );
    return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests: () => served };
  }

  /** One symbol on a plan generous enough never to wait for credits. */
  const plan = (baseUrl: string): TwelveDataOptions => ({
    apiKey: 'k',
    symbols: ['AAPL'],
    intervalSeconds: 1,
    creditsPerMinute: 1000,
    creditsPerDay: 1000,
    baseUrl,
    routing: {},
  });

  /** Runs the source until it fails, or until `stopWhen` is satisfied by the status lines seen. */
  async function run(baseUrl: string, source: Partial<TwelveDataOptions>, stopWhen?: (statuses: string[]) => boolean) {
    const statuses: string[] = [];
    const stop = new AbortController();
    const feed = twelveDataSource({
      ...plan(baseUrl),
      onStatus: (text) => {
        statuses.push(text);
        if (stopWhen?.(statuses)) stop.abort();
      },
      ...source,
    });
    // A record also ends the run when `stopWhen` agrees (for a run that has nothing to say).
    const emit = async () => void (stopWhen?.(statuses) && stop.abort());
    const error = await feed.run(emit, stop.signal).then(
      () => undefined,
      (e: unknown) => e as { kind?: string; message?: string; hint?: string },
    );
    return { statuses, error };
  }

  const refusal = (code: number, message: string) => ({ code, message, status: 'error' });

  it('the day used up ends the run; the minute used up waits for the next minute instead', async () => {
    const day = await answering([refusal(429, 'You have run out of API credits for the day. 800 were used.')]);
    expect((await run(day.url, {})).error).toMatchObject({
      kind: 'denied',
      message: 'Twelve Data: You have run out of API credits for the day. 800 were used.',
      hint: 'run again after midnight UTC, or use a larger plan',
    });
    const minute = await answering([refusal(429, 'You have run out of API credits for the current minute.')]);
    const waited = await run(minute.url, {}, (s) => s.some((line) => line.includes('minute credits')));
    expect(waited.error).toBeUndefined();
    expect(waited.statuses).toEqual(['twelvedata: minute credits used up; waiting for the next minute']);
    expect(minute.requests()).toBe(1);
  });

  it('403 (not in the plan) is a refused key; 404 an unknown symbol; the message is put on one line', async () => {
    const forbidden = await answering([refusal(403, '/price is not\n  available   with your plan ')]);
    expect((await run(forbidden.url, {})).error).toMatchObject({
      kind: 'denied',
      message: 'Twelve Data refused the key: /price is not available with your plan',
      hint: 'check TWELVE_DATA_KEY and what the plan includes',
    });
    const missing = await answering([{ status: 'error', code: 404 }]);
    expect((await run(missing.url, {})).error).toMatchObject({
      kind: 'usage',
      message: 'Twelve Data: error',
      hint: 'check --symbols',
    });
  });

  it('polls no faster than the plan allows for all symbols, and says so', async () => {
    const server = await answering([{ price: '1.5' }]);
    const stretched = await run(
      server.url,
      { symbols: ['AAPL', 'MSFT', 'IBM'], crypto: ['BTC/USD'], creditsPerMinute: 8 },
      (s) => s.some((line) => line.startsWith('twelvedata: polling')),
    );
    // 4 symbols at 8 credits a minute: one round every 30 s at the fastest.
    expect(stretched.statuses).toEqual(['twelvedata: polling every 30 s, as 4 symbol(s) at 8 credits/minute allow']);
    const fastEnough = await run(
      server.url,
      { symbols: ['AAPL'], intervalSeconds: 60, creditsPerMinute: 8 },
      () => true,
    );
    expect(fastEnough.statuses).toEqual([]);
  });

  it('an unreachable server is reported with its reason and retried; Ctrl-C ends even an unanswered request', async () => {
    const closed = await answering([{ price: '1' }]);
    const url = closed.url;
    await closers.pop()!(); // nothing listens there now
    const refused = await run(url, {}, (s) => s.length > 0);
    expect(refused.error).toBeUndefined();
    expect(refused.statuses).toEqual([`twelvedata AAPL: cannot reach ${url} (ECONNREFUSED); retrying`]);

    const silent = await answering([null]);
    const statuses: string[] = [];
    const stop = new AbortController();
    const feed = twelveDataSource({
      ...plan(silent.url),
      onStatus: (text) => statuses.push(text),
    });
    const running = feed.run(async () => undefined, stop.signal);
    while (silent.requests() === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    const abortedAt = Date.now();
    stop.abort();
    await running;
    // Well before the 15 s request time-out: the abort reached the request itself.
    expect(Date.now() - abortedAt).toBeLessThan(2000);
    expect(statuses).toEqual([]);
  });
});
