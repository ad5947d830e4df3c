import { WebSocketServer, type WebSocket } from 'ws';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Alpaca's market-data websocket that speaks its documented wire
 * format: every frame a JSON array of objects with a `T` type; `success` connected /
 * authenticated, `error` with Alpaca's codes, `subscription`, and data t / q / b.
 * One connection per path is allowed (a second gets 406), like most plans.
 */
export interface AlpacaServer {
  url: string;
  /** Connections accepted so far per path (including refused ones). */
  connections: Map<string, number>;
  /** What each connection of `path` asked for, in the order of connection (all its subscribe messages merged). */
  subscriptions(path: string): Channels[];
  /** Resolves when `path` has been subscribed `times` times in total. */
  subscribed(path: string, times: number): Promise<void>;
  /**
   * Sends data frames to the client of `path`, as Alpaca does: only the trades (t), quotes (q) and bars (b)
   * of symbols that connection subscribed to; returns the frames actually sent.
   */
  push(path: string, frames: AlpacaFrame[]): AlpacaFrame[];
  /** Drops the connection of `path` without a close frame (a network failure). */
  drop(path: string): void;
  /** Keeps a connection slot of `path` taken, so the next client gets 406. */
  occupy(path: string): void;
  close(): Promise<void>;
}

/** One message of a frame: its type `T`, the symbol `S` of data messages, and their fields. */
export interface AlpacaFrame {
  T: string;
  S?: string;
  [field: string]: unknown;
}

export interface Channels {
  trades: string[];
  quotes: string[];
  bars: string[];
}

const CHANNEL_OF: Record<string, keyof Channels> = { t: 'trades', q: 'quotes', b: 'bars' };

export async function startAlpacaServer(options: {
  key: string;
  secret: string;
  feeds?: string[];
  /** Most trades + quotes channels a connection may hold; more gets 405 (the free plan allows 30). */
  symbolLimit?: number;
}): Promise<AlpacaServer> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const active = new Map<string, WebSocket>();
  const activeChannels = new Map<string, Channels>();
  const subscriptionLog = new Map<string, Channels[]>();
  const occupied = new Set<string>();
  const connections = new Map<string, number>();
  const subscriptions = new Map<string, number>();
  const waiters: Array<{ path: string; times: number; resolve: () => void }> = [];
  const feeds = new Set(options.feeds ?? ['iex', 'test']);
  const send = (ws: WebSocket, frames: object[]) => ws.send(JSON.stringify(frames));

  server.on('connection', (ws, request) => {
    const path = request.url ?? '/';
    connections.set(path, (connections.get(path) ?? 0) + 1);
    if (active.has(path) || occupied.has(path)) {
      send(ws, [{ T: 'error', code: 406, msg: 'connection limit exceeded' }]);
      ws.close();
      return;
    }
    active.set(path, ws);
    ws.on('close', () => active.get(path) === ws && active.delete(path));
    let authenticated = false;
    const channels: Channels = { trades: [], quotes: [], bars: [] };
    activeChannels.set(path, channels);
    let logged = false;
    send(ws, [{ T: 'success', msg: 'connected' }]);
    ws.on('message', (data) => {
      const message = JSON.parse(data.toString()) as Record<string, unknown>;
      if (message.action === 'auth') {
        if (message.key !== options.key || message.secret !== options.secret) {
          send(ws, [{ T: 'error', code: 402, msg: 'auth failed' }]);
          ws.close();
          return;
        }
        const feed = path.split('/').pop()!;
        if (path.startsWith('/v2/') && !feeds.has(feed)) {
          send(ws, [{ T: 'error', code: 409, msg: 'insufficient subscription' }]);
          ws.close();
          return;
        }
        authenticated = true;
        send(ws, [{ T: 'success', msg: 'authenticated' }]);
      } else if (message.action === 'subscribe') {
        if (!authenticated) return send(ws, [{ T: 'error', code: 401, msg: 'not authenticated' }]);
        for (const kind of Object.keys(channels) as Array<keyof Channels>) {
          for (const symbol of (message[kind] as string[] | undefined) ?? [])
            if (!channels[kind].includes(symbol)) channels[kind].push(symbol);
        }
        if (!logged) {
          logged = true;
          subscriptionLog.set(path, [...(subscriptionLog.get(path) ?? []), channels]);
        }
        if (
          options.symbolLimit !== undefined &&
          channels.trades.length + channels.quotes.length > options.symbolLimit
        ) {
          send(ws, [{ T: 'error', code: 405, msg: 'symbol limit exceeded' }]);
          ws.close();
          return;
        }
        send(ws, [
          {
            T: 'subscription',
            ...channels,
            updatedBars: [],
            dailyBars: [],
            statuses: [],
            lulds: [],
            corrections: [],
            cancelErrors: [],
          },
        ]);
        subscriptions.set(path, (subscriptions.get(path) ?? 0) + 1);
        for (const w of [...waiters]) {
          if (w.path === path && (subscriptions.get(path) ?? 0) >= w.times) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve();
          }
        }
      } else {
        send(ws, [{ T: 'error', code: 400, msg: 'invalid syntax' }]);
      }
    });
  });

  return {
    url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections,
    subscribed: (path, times) =>
      (subscriptions.get(path) ?? 0) >= times
        ? Promise.resolve()
        : new Promise((resolve) => waiters.push({ path, times, resolve })),
    subscriptions: (path) => (subscriptionLog.get(path) ?? []).map((c) => structuredClone(c)),
    push(path, frames) {
      const ws = active.get(path);
      if (!ws) throw new Error(`no client on ${path}`);
      const channels = activeChannels.get(path)!;
      const wanted = frames.filter((f) => {
        const channel = CHANNEL_OF[f.T];
        return !channel || channels[channel].includes(String(f.S));
      });
      if (wanted.length) send(ws, wanted);
      return wanted;
    },
    drop(path) {
      active.get(path)?.terminate();
      active.delete(path);
    },
    occupy(path) {
      occupied.add(path);
    },
    async close() {
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
