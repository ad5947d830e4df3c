import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kfeed } from './helpers/run.js';
import { startAlpacaServer, type AlpacaServer } from './servers/alpaca.js';
import { startTwelveDataServer } from './servers/twelvedata.js';

import { unique } from './helpers/unique.js';
import { expectFailure } from './helpers/assert.js';
const KEYS = { APCA_API_KEY_ID: 'PKTEST', APCA_API_SECRET_KEY: 'secret' };
const ALPACA_KEYS = { key: KEYS.APCA_API_KEY_ID, secret: KEYS.APCA_API_SECRET_KEY };

async function topics(prefix: string, names: string[]) {
  for (const name of names) expect((await kfeed(['create-topic', `${prefix}${name}`])).code).toBe(0);
}

async function readAll(topicNames: string[]) {
  const result = await kfeed([
    'consume',
    ...topicNames,
    '--from-beginning',
    '--exit-at-end',
    '--json',
    '-g',
    unique('g'),
  ]);
  expect(result.code).toBe(0);
  return result.stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(
      (l) =>
        JSON.parse(l) as {
          topic: string;
          key: string;
          headers: Record<string, string>;
          value: Record<string, unknown>;
        },
    );
}

describe('Alpaca market-data stream (local server speaking its wire format)', () => {
  let alpaca: AlpacaServer;
  beforeAll(async () => {
    alpaca = await startAlpacaServer(ALPACA_KEYS);
  });
  afterAll(async () => {
    await alpaca.close();
  });

  it('streams trades, quotes and bars of stocks and crypto to their topics, and re-subscribes after a dropped connection', async () => {
    const prefix = `${unique('alp')}.`;
    await topics(prefix, ['trade', 'quote', 'bar', 'crypto_trade', 'crypto_quote', 'crypto_bar']);
    const run = kfeed(
      [
        'produce',
        '--source',
        'alpaca',
        '--symbols',
        'AAPL,MSFT',
        '--crypto',
        'BTC/USD',
        '--stream-url',
        alpaca.url,
        '--topic-prefix',
        prefix,
        '--count',
        '7',
      ],
      { env: KEYS },
    );
    await alpaca.subscribed('/v2/iex', 1);
    await alpaca.subscribed('/v1beta3/crypto/us', 1);
    // The server's record of what was asked for, not the product's own account of it.
    const stocks = { trades: ['AAPL', 'MSFT'], quotes: ['AAPL', 'MSFT'], bars: ['AAPL', 'MSFT'] };
    const crypto = { trades: ['BTC/USD'], quotes: ['BTC/USD'], bars: ['BTC/USD'] };
    expect(alpaca.subscriptions('/v2/iex')).toEqual([stocks]);
    expect(alpaca.subscriptions('/v1beta3/crypto/us')).toEqual([crypto]);
    // A symbol nobody subscribed to is never sent, as on Alpaca; kfeed must not see it either.
    expect(alpaca.push('/v2/iex', [{ T: 't', S: 'TSLA', p: 1, s: 1, t: '2025-01-02T14:29:59Z' }])).toEqual([]);
    const firstPush = alpaca.push('/v2/iex', [
      {
        T: 't',
        S: 'AAPL',
        i: 52983525029461,
        x: 'V',
        p: 228.31,
        s: 100,
        c: ['@'],
        t: '2025-01-02T14:30:00.123456789Z',
        z: 'C',
      },
      {
        T: 'q',
        S: 'AAPL',
        bx: 'V',
        bp: 228.3,
        bs: 3,
        ax: 'V',
        ap: 228.33,
        as: 2,
        c: ['R'],
        t: '2025-01-02T14:30:00.200000001Z',
        z: 'C',
      },
    ]);
    expect(firstPush).toHaveLength(2);
    alpaca.push('/v1beta3/crypto/us', [
      { T: 't', S: 'BTC/USD', p: 67012.5, s: 0.0421, t: '2025-01-02T14:30:01.5Z', i: 7, tks: 'B' },
    ]);
    // The network drops the stock connection; kfeed must reconnect, authenticate and subscribe again.
    alpaca.drop('/v2/iex');
    await alpaca.subscribed('/v2/iex', 2);
    // The re-connect asks for exactly the same channels again.
    expect(alpaca.subscriptions('/v2/iex')).toEqual([stocks, stocks]);
    expect(alpaca.subscriptions('/v1beta3/crypto/us')).toEqual([crypto]);
    const secondPush = alpaca.push('/v2/iex', [
      {
        T: 'b',
        S: 'MSFT',
        o: 415.1,
        h: 415.9,
        l: 414.8,
        c: 415.5,
        v: 12000,
        t: '2025-01-02T14:31:00Z',
        n: 120,
        vw: 415.37,
      },
      {
        T: 'q',
        S: 'MSFT',
        bx: 'Q',
        bp: 415.4,
        bs: 1,
        ax: 'Q',
        ap: 415.6,
        as: 4,
        c: ['R'],
        t: '2025-01-02T14:31:00.5Z',
        z: 'C',
      },
      { T: 'q', S: 'GOOG', bp: 1, bs: 1, ap: 2, as: 1, t: '2025-01-02T14:31:00.6Z' },
    ]);
    expect(secondPush).toHaveLength(2);
    alpaca.push('/v1beta3/crypto/us', [
      { T: 'q', S: 'BTC/USD', bp: 67010, bs: 1.2, ap: 67015, as: 0.8, t: '2025-01-02T14:31:02Z' },
      {
        T: 'b',
        S: 'BTC/USD',
        o: 67000,
        h: 67100,
        l: 66950,
        c: 67050,
        v: 3.5,
        t: '2025-01-02T14:31:00Z',
        n: 40,
        vw: 67020,
      },
    ]);
    const produced = await run;
    expect(produced.code).toBe(0);
    expect(produced.stdout).toMatch(/^produced 7 messages/);
    expect(produced.stderr).toMatch(/alpaca stocks \(iex\): .*reconnecting in/);

    const records = await readAll(
      ['trade', 'quote', 'bar', 'crypto_trade', 'crypto_quote', 'crypto_bar'].map((t) => `${prefix}${t}`),
    );
    expect(records).toHaveLength(7);
    const by = (topic: string, symbol: string) =>
      records.find((r) => r.topic === `${prefix}${topic}` && r.key === symbol)!.value;
    expect(by('trade', 'AAPL')).toMatchObject({
      kind: 'trade',
      asset: 'stock',
      price: 228.31,
      size: 100,
      exchange: 'V',
      conditions: ['@'],
      tradeId: '52983525029461',
      tape: 'C',
      eventTime: '2025-01-02T14:30:00.123456789Z',
    });
    expect(by('quote', 'AAPL')).toMatchObject({
      kind: 'quote',
      bidPrice: 228.3,
      bidSize: 3,
      askPrice: 228.33,
      askSize: 2,
      bidExchange: 'V',
    });
    expect(by('bar', 'MSFT')).toMatchObject({
      kind: 'bar',
      open: 415.1,
      high: 415.9,
      low: 414.8,
      close: 415.5,
      volume: 12000,
      tradeCount: 120,
      vwap: 415.37,
    });
    expect(by('crypto_trade', 'BTC/USD')).toMatchObject({
      kind: 'trade',
      asset: 'crypto',
      price: 67012.5,
      size: 0.0421,
      takerSide: 'B',
    });
    expect(by('crypto_quote', 'BTC/USD')).toMatchObject({ bidPrice: 67010, askPrice: 67015 });
    expect(by('crypto_bar', 'BTC/USD')).toMatchObject({ close: 67050 });
    for (const r of records) {
      expect(r.headers.source).toBe('alpaca');
      expect(Date.parse(r.value.receiveTime as string)).toBeGreaterThan(Date.now() - 120_000);
    }
  });

  it('bad keys, a plan without the feed and a second connection end with one line each, without retrying', async () => {
    const topic = unique('alperr');
    await topics('', [topic]);
    const base = [
      'produce',
      '--source',
      'alpaca',
      '--symbols',
      'AAPL',
      '--stream-url',
      alpaca.url,
      '--topic',
      topic,
      '--duration',
      '20',
    ];

    const before = alpaca.connections.get('/v2/iex') ?? 0;
    const badKey = await kfeed(base, { env: { ...KEYS, APCA_API_SECRET_KEY: 'wrong' } });
    expect(badKey.code).toBe(6);
    expect(badKey.stderr).toMatch(
      /^kfeed: Alpaca stocks \(iex\) refused: auth failed \(code 402\) — check APCA_API_KEY_ID and APCA_API_SECRET_KEY\n$/,
    );
    expect(alpaca.connections.get('/v2/iex')).toBe(before + 1);

    const sipBefore = alpaca.connections.get('/v2/sip') ?? 0;
    const sip = await kfeed([...base, '--feed', 'sip'], { env: KEYS });
    expect(sip.code).toBe(6);
    expect(sip.stderr).toMatch(
      /insufficient subscription \(code 409\) — your plan does not include this feed: use --feed iex\n$/,
    );
    expect(alpaca.connections.get('/v2/sip')).toBe(sipBefore + 1);

    alpaca.occupy('/v2/test');
    const testBefore = alpaca.connections.get('/v2/test') ?? 0;
    const second = await kfeed([...base, '--feed', 'test'], { env: KEYS });
    expectFailure(second, 4, /connection limit exceeded \(code 406\) — another client is connected/);
    expect(second.stderr.trim().split('\n')).toHaveLength(1);
    expect(alpaca.connections.get('/v2/test')).toBe(testBefore + 1);

    // 405: more channels than the plan allows (trades + quotes of AAPL are 2, the limit here is 1).
    const limited = await startAlpacaServer({ ...ALPACA_KEYS, symbolLimit: 1 });
    try {
      const tooMany = await kfeed(
        base.map((a) => (a === alpaca.url ? limited.url : a)),
        { env: KEYS },
      );
      expectFailure(tooMany, 4, /symbol limit exceeded \(code 405\) — subscribe to fewer symbols/);
      expect(tooMany.stderr.trim().split('\n')).toHaveLength(1);
      expect(limited.connections.get('/v2/iex')).toBe(1);
      expect(limited.subscriptions('/v2/iex')).toEqual([{ trades: ['AAPL'], quotes: ['AAPL'], bars: ['AAPL'] }]);
    } finally {
      await limited.close();
    }

    const noKeys = await kfeed(base, { env: { APCA_API_KEY_ID: undefined, APCA_API_SECRET_KEY: undefined } });
    expectFailure(noKeys, 3, /Alpaca keys are not set — set APCA_API_KEY_ID and APCA_API_SECRET_KEY/);
  });
});

describe('Twelve Data /price (local server speaking its REST format)', () => {
  it('polls each symbol, never forwards an error body, and stops with one line when the daily credits are gone', async () => {
    const prefix = `${unique('td')}.`;
    await topics(prefix, ['trade', 'crypto_trade']);
    const server = await startTwelveDataServer({
      key: 'tdkey',
      prices: { AAPL: ['228.10000', '228.25000'], 'BTC/USD': ['67000.5'] },
      perDay: 5,
      failFirst: { AAPL: 1 },
    });
    try {
      const started = Date.now();
      const run = await kfeed(
        [
          'produce',
          '--source',
          'twelvedata',
          '--symbols',
          'AAPL',
          '--crypto',
          'BTC/USD',
          '--api-url',
          server.url,
          '--interval',
          '1',
          '--credits-per-minute',
          '100',
          '--topic-prefix',
          prefix,
        ],
        { env: { TWELVE_DATA_KEY: 'tdkey' } },
      );
      // 5 credits: one error body (not forwarded), then 4 prices; the 6th call is refused for the day.
      expect(run.code).toBe(6);
      expect(run.stderr).toMatch(/twelvedata AAPL: Internal error, please try again later \(code 500\); retrying/);
      expect(run.stderr.trim().split('\n').pop()).toMatch(
        /^kfeed: Twelve Data: You have run out of API credits for the day\. .* — run again after midnight UTC/,
      );
      expect(run.stdout).toMatch(/^produced 4 messages/);
      const records = await readAll([`${prefix}trade`, `${prefix}crypto_trade`]);
      // Every record, every field: one symbol is one key, so its records keep their order within a topic.
      const byTopic = [...records].sort((a, b) => a.topic.localeCompare(b.topic));
      const record = (topic: string, symbol: string, asset: string, price: number) => ({
        topic: `${prefix}${topic}`,
        key: symbol,
        headers: { source: 'twelvedata' },
        value: { kind: 'trade', symbol, asset, eventTime: expect.any(String), receiveTime: expect.any(String), price },
      });
      expect(byTopic.map((r) => ({ topic: r.topic, key: r.key, headers: r.headers, value: r.value }))).toEqual([
        record('crypto_trade', 'BTC/USD', 'crypto', 67000.5),
        record('crypto_trade', 'BTC/USD', 'crypto', 67000.5),
        record('trade', 'AAPL', 'stock', 228.1),
        record('trade', 'AAPL', 'stock', 228.25),
      ]);
      for (const r of records) {
        // A polled price has no exchange time: both times are when the answer came, within this test.
        expect(r.value.eventTime).toBe(r.value.receiveTime);
        expect(new Date(r.value.eventTime as string).toISOString()).toBe(r.value.eventTime);
        expect(Date.parse(r.value.eventTime as string)).toBeGreaterThan(started);
        expect(Date.parse(r.value.eventTime as string)).toBeLessThanOrEqual(Date.now());
      }

      // The client's own budget: it stops before the server has to refuse.
      const fresh = await startTwelveDataServer({ key: 'tdkey', prices: { AAPL: ['1.5'] } });
      const budget = await kfeed(
        [
          'produce',
          '--source',
          'twelvedata',
          '--symbols',
          'AAPL',
          '--api-url',
          fresh.url,
          '--interval',
          '1',
          '--credits-per-day',
          '2',
          '--topic-prefix',
          prefix,
        ],
        {
          env: { TWELVE_DATA_KEY: 'tdkey' },
        },
      );
      await fresh.close();
      expectFailure(budget, 6, /the plan's daily API credits \(2\) are used up/);
      expect(fresh.requests).toEqual(['AAPL', 'AAPL']);

      const badKey = await kfeed(
        ['produce', '--source', 'twelvedata', '--symbols', 'AAPL', '--api-url', server.url, '--topic-prefix', prefix],
        { env: { TWELVE_DATA_KEY: 'nope' } },
      );
      expectFailure(badKey, 6, /Twelve Data refused the key: \*\*apikey\*\* parameter is incorrect/);
      const slow = await kfeed(
        [
          'produce',
          '--source',
          'twelvedata',
          '--symbols',
          'A,B,C',
          '--api-url',
          server.url,
          '--credits-per-minute',
          '2',
          '--topic-prefix',
          prefix,
          '--duration',
          '1',
        ],
        {
          env: { TWELVE_DATA_KEY: 'tdkey' },
        },
      );
      expect(slow.stderr).toMatch(/polling every 90 s, as 3 symbol\(s\) at 2 credits\/minute allow/);
    } finally {
      await server.close();
    }
  });
});
