import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for Twelve Data's REST `/price` endpoint: `{"price":"123.45"}` on
 * success; on failure a JSON body with `"status":"error"`, a `code` and a `message`, as
 * Twelve Data documents them (bad key 401, unknown symbol 400, credits used up 429 for the
 * minute or for the day).
 */
export interface TwelveDataServer {
  url: string;
  /** Every request's symbol, in order. */
  requests: string[];
  close(): Promise<void>;
}

export interface TwelveDataServerOptions {
  key: string;
  prices: Record<string, string[]>;
  /** Credits per day; the next call gets the daily 429. */
  perDay?: number;
  /** Answers these many first calls of a symbol with an internal error body. */
  failFirst?: Record<string, number>;
}

export async function startTwelveDataServer(options: TwelveDataServerOptions): Promise<TwelveDataServer> {
  const requests: string[] = [];
  const served = new Map<string, number>();
  const failures = new Map(Object.entries(options.failFirst ?? {}));
  let used = 0;
  const server = http.createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const reply = (body: object) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (url.pathname !== '/price') return reply({ code: 404, message: 'not found', status: 'error' });
    const symbol = url.searchParams.get('symbol') ?? '';
    requests.push(symbol);
    if (url.searchParams.get('apikey') !== options.key) {
      return reply({ code: 401, message: '**apikey** parameter is incorrect or not specified.', status: 'error' });
    }
    if (options.perDay !== undefined && used >= options.perDay) {
      return reply({
        code: 429,
        message: `You have run out of API credits for the day. ${used} API credits were used, with the current limit being ${options.perDay}.`,
        status: 'error',
      });
    }
    used += 1;
    if ((failures.get(symbol) ?? 0) > 0) {
      failures.set(symbol, failures.get(symbol)! - 1);
      return reply({ code: 500, message: 'Internal error, please try again later', status: 'error' });
    }
    const prices = options.prices[symbol];
    if (!prices)
      return reply({
        code: 400,
        message: `**symbol** not found: ${symbol}. Please specify it correctly according to API Documentation.`,
        status: 'error',
      });
    const n = served.get(symbol) ?? 0;
    served.set(symbol, n + 1);
    reply({ price: prices[n % prices.length] });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
