import WebSocket from 'ws';
import { KfeedError } from '../../errors.js';
import { marketRecord, type AssetClass, type FeedRecord, type MarketEvent, type TopicRouting } from '../schema.js';
import type { KindName } from './options.js';
import { pause, type Emit, type FeedSource } from './source.js';

export const ALPACA_STREAM_URL = 'wss://stream.data.alpaca.markets';
/** Alpaca's channels: trades, quotes, bars (`--kinds`). */
export type AlpacaKind = KindName;

export interface AlpacaOptions {
  key: string;
  secret: string;
  /** Stock feed: iex (free), sip (paid), test (FAKEPACA, open all hours). */
  feed: 'iex' | 'sip' | 'test';
  stocks: string[];
  crypto: string[];
  kinds: AlpacaKind[];
  /** Default wss://stream.data.alpaca.markets; tests point it at a local server. */
  baseUrl?: string;
  routing: TopicRouting;
  /** Reconnect notices and the like, for the command to show. */
  onStatus?: (text: string) => void;
  /** Longest wait between reconnects (default 30 s). */
  maxBackoffMs?: number;
}

/** Alpaca's documented stream error codes, and whether reconnecting can help. */
const ERRORS: Record<number, { fatal: boolean; hint: string }> = {
  400: { fatal: true, hint: 'kfeed sent a message Alpaca did not understand; report it' },
  401: { fatal: true, hint: 'the stream needs authentication first; report it' },
  402: { fatal: true, hint: 'check APCA_API_KEY_ID and APCA_API_SECRET_KEY' },
  403: { fatal: true, hint: 'another auth was sent on this connection; report it' },
  404: { fatal: true, hint: 'authentication timed out; check the network' },
  405: { fatal: true, hint: 'subscribe to fewer symbols (the free plan allows 30 trades/quotes channels)' },
  406: { fatal: true, hint: 'another client is connected to this feed with the same keys; stop it first' },
  407: { fatal: false, hint: '' },
  409: { fatal: true, hint: 'your plan does not include this feed: use --feed iex' },
  410: { fatal: true, hint: 'this feed does not offer that stream: change --kinds' },
  500: { fatal: false, hint: '' },
};

interface Frame {
  T: string;
  [field: string]: unknown;
}

const num = (v: unknown) => (typeof v === 'number' ? v : Number(v));
const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

/** An Alpaca data message in kfeed's schema, or undefined for kinds kfeed does not carry. */
export function alpacaEvent(frame: Frame, asset: AssetClass, receiveTime: string): MarketEvent | undefined {
  const symbol = String(frame.S);
  const eventTime = String(frame.t);
  const conditions = Array.isArray(frame.c) ? frame.c.map(String) : undefined;
  switch (frame.T) {
    case 't':
      return {
        kind: 'trade',
        symbol,
        asset,
        eventTime,
        receiveTime,
        price: num(frame.p),
        size: num(frame.s),
        ...(frame.x !== undefined ? { exchange: str(frame.x) } : {}),
        ...(conditions ? { conditions } : {}),
        ...(frame.i !== undefined ? { tradeId: str(frame.i) } : {}),
        ...(frame.z !== undefined ? { tape: str(frame.z) } : {}),
        ...(frame.tks !== undefined ? { takerSide: str(frame.tks) } : {}),
      };
    case 'q':
      return {
        kind: 'quote',
        symbol,
        asset,
        eventTime,
        receiveTime,
        bidPrice: num(frame.bp),
        bidSize: num(frame.bs),
        askPrice: num(frame.ap),
        askSize: num(frame.as),
        ...(frame.bx !== undefined ? { bidExchange: str(frame.bx) } : {}),
        ...(frame.ax !== undefined ? { askExchange: str(frame.ax) } : {}),
        ...(conditions ? { conditions } : {}),
        ...(frame.z !== undefined ? { tape: str(frame.z) } : {}),
      };
    case 'b':
      return {
        kind: 'bar',
        symbol,
        asset,
        eventTime,
        receiveTime,
        open: num(frame.o),
        high: num(frame.h),
        low: num(frame.l),
        close: num(frame.c),
        volume: num(frame.v),
        ...(frame.n !== undefined ? { tradeCount: num(frame.n) } : {}),
        ...(frame.vw !== undefined ? { vwap: num(frame.vw) } : {}),
      };
    default:
      return undefined;
  }
}

interface Stream {
  label: string;
  url: string;
  asset: AssetClass;
  symbols: string[];
}

type SessionEnd = { subscribed: boolean; reason: string };

/**
 * Alpaca's market-data websocket: one connection per feed (stocks, crypto), each
 * authenticating with a message, subscribing, then streaming. A dropped connection is
 * re-opened with exponential backoff and re-subscribed; an error Alpaca documents as final
 * (bad keys, connection limit, plan) ends the run with one line.
 */
export function alpacaSource(options: AlpacaOptions): FeedSource {
  const base = (options.baseUrl ?? ALPACA_STREAM_URL).replace(/\/+$/, '');
  const streams: Stream[] = [];
  if (options.stocks.length)
    streams.push({
      label: `stocks (${options.feed})`,
      url: `${base}/v2/${options.feed}`,
      asset: 'stock',
      symbols: options.stocks,
    });
  if (options.crypto.length)
    streams.push({ label: 'crypto', url: `${base}/v1beta3/crypto/us`, asset: 'crypto', symbols: options.crypto });
  const maxBackoff = options.maxBackoffMs ?? 30_000;

  const session = (stream: Stream, emit: Emit, signal: AbortSignal): Promise<SessionEnd> =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(stream.url, { handshakeTimeout: 10_000 });
      let subscribed = false;
      let settled = false;
      let delivering: Promise<void> = Promise.resolve();
      let alive = true;
      const finish = (outcome: SessionEnd | KfeedError) => {
        if (settled) return;
        settled = true;
        clearTimeout(authTimer);
        clearInterval(heartbeat);
        signal.removeEventListener('abort', onAbort);
        ws.removeAllListeners('message');
        ws.terminate();
        // Records already handed over are delivered before the session reports its end.
        delivering.then(
          () => (outcome instanceof KfeedError ? reject(outcome) : resolve(outcome)),
          (error) => reject(error),
        );
      };
      const onAbort = () => finish({ subscribed, reason: 'stopped' });
      signal.addEventListener('abort', onAbort, { once: true });
      // Alpaca closes unauthenticated connections after 10 s; do not wait longer than that.
      const authTimer = setTimeout(
        () => finish({ subscribed, reason: 'no authentication answer within 15 s' }),
        15_000,
      );
      const heartbeat = setInterval(() => {
        if (!alive) return finish({ subscribed, reason: 'no answer to ping' });
        alive = false;
        ws.ping();
      }, 20_000);
      ws.on('pong', () => (alive = true));
      ws.on('error', (error) => finish({ subscribed, reason: error.message }));
      ws.on('close', (code, reason) =>
        finish({ subscribed, reason: `closed (${code}${reason.length ? ` ${reason}` : ''})` }),
      );
      ws.on('message', (data) => {
        alive = true;
        let frames: Frame[];
        try {
          const parsed = JSON.parse(data.toString());
          frames = Array.isArray(parsed) ? parsed : [parsed];
        } catch {
          return finish({ subscribed, reason: 'a frame that is not JSON' });
        }
        const receiveTime = new Date().toISOString();
        const records: FeedRecord[] = [];
        for (const frame of frames) {
          if (frame.T === 'success' && frame.msg === 'connected') {
            ws.send(JSON.stringify({ action: 'auth', key: options.key, secret: options.secret }));
          } else if (frame.T === 'success' && frame.msg === 'authenticated') {
            clearTimeout(authTimer);
            const subscription: Record<string, unknown> = { action: 'subscribe' };
            for (const kind of options.kinds) subscription[kind] = stream.symbols;
            ws.send(JSON.stringify(subscription));
          } else if (frame.T === 'subscription') {
            subscribed = true;
            const missing = options.kinds.flatMap((kind) =>
              stream.symbols
                .filter((s) => !((frame[kind] as string[] | undefined) ?? []).includes(s))
                .map((s) => `${kind} ${s}`),
            );
            options.onStatus?.(
              `alpaca ${stream.label}: subscribed${missing.length ? ` (not granted: ${missing.join(', ')})` : ''}`,
            );
          } else if (frame.T === 'error') {
            const code = num(frame.code);
            const known = ERRORS[code] ?? { fatal: code < 500, hint: "see Alpaca's stream error codes" };
            if (known.fatal)
              return finish(
                new KfeedError(
                  code === 402 || code === 409 ? 'denied' : 'connection',
                  `Alpaca ${stream.label} refused: ${String(frame.msg)} (code ${code})`,
                  { hint: known.hint },
                ),
              );
            return finish({ subscribed, reason: `${String(frame.msg)} (code ${code})` });
          } else {
            const event = alpacaEvent(frame, stream.asset, receiveTime);
            if (event) records.push(marketRecord(event, 'alpaca', options.routing));
          }
        }
        if (records.length) {
          // In order, one hand-over at a time; a producer failure ends the session.
          delivering = delivering.then(() => emit(records));
          delivering.catch((error) => {
            if (!settled) {
              settled = true;
              clearTimeout(authTimer);
              clearInterval(heartbeat);
              ws.terminate();
              reject(error);
            }
          });
        }
      });
    });

  const runStream = async (stream: Stream, emit: Emit, signal: AbortSignal) => {
    let attempt = 0;
    while (!signal.aborted) {
      const end = await session(stream, emit, signal);
      if (signal.aborted) return;
      attempt = end.subscribed ? 1 : attempt + 1;
      const delay = Math.round(Math.min(maxBackoff, 500 * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5));
      options.onStatus?.(`alpaca ${stream.label}: ${end.reason}; reconnecting in ${(delay / 1000).toFixed(1)} s`);
      await pause(delay, signal);
    }
  };

  return {
    name: 'alpaca',
    async run(emit, signal) {
      // One stream failing for good stops the others too.
      const local = new AbortController();
      const forward = () => local.abort();
      signal.addEventListener('abort', forward, { once: true });
      try {
        await Promise.all(
          streams.map((s) =>
            runStream(s, emit, local.signal).catch((error) => {
              local.abort();
              throw error;
            }),
          ),
        );
      } finally {
        signal.removeEventListener('abort', forward);
      }
    },
  };
}
