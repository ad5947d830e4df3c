import { KfeedError } from '../../errors.js';
import { marketRecord, type TopicRouting, type TradeEvent } from '../schema.js';
import { pause, type Emit, type FeedSource } from './source.js';

export const TWELVE_DATA_URL = 'https://api.twelvedata.com';

export interface TwelveDataOptions {
  apiKey: string;
  /** Stocks, forex and the like (topics `trade`). */
  symbols: string[];
  /** Crypto pairs (topics `crypto_trade`). */
  crypto?: string[];
  /** Seconds between two polls of the same symbol. */
  intervalSeconds: number;
  /** The plan's API credits (one /price call costs one): free plan 8 a minute, 800 a day. */
  creditsPerMinute: number;
  creditsPerDay: number;
  baseUrl?: string;
  routing: TopicRouting;
  onStatus?: (text: string) => void;
  /** The clock (tests do not pin it; it exists so credit windows are computed from one place). */
  now?: () => number;
}

interface ErrorBody {
  status: 'error';
  code?: number;
  message?: string;
}

const isErrorBody = (body: unknown): body is ErrorBody =>
  Boolean(body) && typeof body === 'object' && (body as ErrorBody).status === 'error';

/**
 * Counts credits per minute and per UTC day, the windows Twelve Data resets its quotas
 * on, so kfeed waits instead of being refused.
 */
class CreditBudget {
  private minute = -1;
  private usedThisMinute = 0;
  private day = '';
  private usedToday = 0;

  constructor(
    private readonly perMinute: number,
    private readonly perDay: number,
    private readonly now: () => number,
  ) {}

  private roll() {
    const t = this.now();
    const minute = Math.floor(t / 60_000);
    if (minute !== this.minute) {
      this.minute = minute;
      this.usedThisMinute = 0;
    }
    const day = new Date(t).toISOString().slice(0, 10);
    if (day !== this.day) {
      this.day = day;
      this.usedToday = 0;
    }
  }

  /** Milliseconds to wait before a credit is available this minute (0: now). */
  waitMs(): number {
    this.roll();
    if (this.usedToday >= this.perDay) throw dailyLimit(this.perDay);
    return this.usedThisMinute < this.perMinute ? 0 : (this.minute + 1) * 60_000 - this.now() + 50;
  }

  spend() {
    this.roll();
    this.usedThisMinute += 1;
    this.usedToday += 1;
  }

  /** The server says the minute is used up (another client on the same key, or clock skew). */
  exhaustMinute() {
    this.roll();
    this.usedThisMinute = this.perMinute;
  }
}

function dailyLimit(perDay: number): KfeedError {
  return new KfeedError('denied', `Twelve Data: the plan's daily API credits (${perDay}) are used up`, {
    hint: 'run again after midnight UTC, or pass --credits-per-day for a larger plan',
  });
}

/** Twelve Data's /price endpoint polled per symbol; each price becomes a trade record without size. */
export function twelveDataSource(options: TwelveDataOptions): FeedSource {
  const base = (options.baseUrl ?? TWELVE_DATA_URL).replace(/\/+$/, '');
  const now = options.now ?? Date.now;
  const budget = new CreditBudget(options.creditsPerMinute, options.creditsPerDay, now);
  // Polling faster than the plan allows only produces refusals: stretch the interval.
  const minimum = Math.ceil((60 * (options.symbols.length + (options.crypto?.length ?? 0))) / options.creditsPerMinute);
  const intervalSeconds = Math.max(options.intervalSeconds, minimum);

  const cryptoPairs = new Set(options.crypto ?? []);
  const all = [...options.symbols, ...cryptoPairs];
  const poll = async (symbol: string, signal: AbortSignal): Promise<TradeEvent | 'retry'> => {
    const url = `${base}/price?symbol=${encodeURIComponent(symbol)}&apikey=${encodeURIComponent(options.apiKey)}`;
    let body: unknown;
    let httpStatus: number;
    try {
      const response = await fetch(url, { signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
      httpStatus = response.status;
      const text = await response.text();
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
    } catch (error) {
      if (signal.aborted) return 'retry';
      // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND...) is its cause.
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      options.onStatus?.(
        `twelvedata ${symbol}: ${cause ? `cannot reach ${base} (${cause})` : (error as Error).message}; retrying`,
      );
      return 'retry';
    }
    if (isErrorBody(body)) {
      const code = Number(body.code ?? httpStatus);
      const message = String(body.message ?? 'error')
        .replace(/\s+/g, ' ')
        .trim();
      if (code === 429) {
        if (/day|daily/i.test(message)) {
          throw new KfeedError('denied', `Twelve Data: ${message}`, {
            hint: 'run again after midnight UTC, or use a larger plan',
          });
        }
        budget.exhaustMinute();
        options.onStatus?.(`twelvedata: minute credits used up; waiting for the next minute`);
        return 'retry';
      }
      if (code === 401 || code === 403)
        throw new KfeedError('denied', `Twelve Data refused the key: ${message}`, {
          hint: 'check TWELVE_DATA_KEY and what the plan includes',
        });
      if (code === 400 || code === 404)
        throw new KfeedError('usage', `Twelve Data: ${message}`, { hint: 'check --symbols' });
      options.onStatus?.(`twelvedata ${symbol}: ${message} (code ${code}); retrying`);
      return 'retry';
    }
    const price = body && typeof body === 'object' ? Number((body as { price?: unknown }).price) : NaN;
    if (!Number.isFinite(price)) {
      options.onStatus?.(`twelvedata ${symbol}: unexpected answer (HTTP ${httpStatus}); retrying`);
      return 'retry';
    }
    const time = new Date(now()).toISOString();
    return {
      kind: 'trade',
      symbol,
      asset: cryptoPairs.has(symbol) ? 'crypto' : 'stock',
      eventTime: time,
      receiveTime: time,
      price,
    };
  };

  return {
    name: 'twelvedata',
    async run(emit: Emit, signal: AbortSignal) {
      if (intervalSeconds > options.intervalSeconds) {
        options.onStatus?.(
          `twelvedata: polling every ${intervalSeconds} s, ` +
            `as ${all.length} symbol(s) at ${options.creditsPerMinute} credits/minute allow`,
        );
      }
      let failures = 0;
      while (!signal.aborted) {
        const roundStart = now();
        for (const symbol of all) {
          for (;;) {
            if (signal.aborted) return;
            const wait = budget.waitMs();
            if (wait > 0) {
              await pause(wait, signal);
              continue;
            }
            budget.spend();
            const result = await poll(symbol, signal);
            if (result === 'retry') {
              failures += 1;
              // Back off on repeated failures; a refused minute waits for the next one anyway.
              await pause(Math.min(30_000, 1000 * 2 ** Math.min(failures - 1, 5)), signal);
              continue;
            }
            failures = 0;
            await emit([marketRecord(result, 'twelvedata', options.routing)]);
            break;
          }
        }
        await pause(Math.max(0, roundStart + intervalSeconds * 1000 - now()), signal);
      }
    },
  };
}
