import { usageError } from '../../errors.js';
import type { MarketKind } from '../schema.js';

export const SOURCES = ['stdin', 'sim', 'alpaca', 'twelvedata'] as const;
export type SourceName = (typeof SOURCES)[number];

/**
 * The options only some sources take, by flag, with the sources that take them. An option
 * given to a source that does not take it is a usage error, never silently dropped.
 */
const SOURCE_OPTIONS: Record<string, { flag: string; sources: SourceName[] }> = {
  keySeparator: { flag: '--key-separator', sources: ['stdin'] },
  header: { flag: '--header', sources: ['stdin'] },
  topicPrefix: { flag: '--topic-prefix', sources: ['sim', 'alpaca', 'twelvedata'] },
  symbols: { flag: '--symbols', sources: ['sim', 'alpaca', 'twelvedata'] },
  crypto: { flag: '--crypto', sources: ['alpaca', 'twelvedata'] },
  kinds: { flag: '--kinds', sources: ['sim', 'alpaca'] },
  rate: { flag: '--rate', sources: ['sim'] },
  seed: { flag: '--seed', sources: ['sim'] },
  startTime: { flag: '--start-time', sources: ['sim'] },
  feed: { flag: '--feed', sources: ['alpaca'] },
  streamUrl: { flag: '--stream-url', sources: ['alpaca'] },
  apiUrl: { flag: '--api-url', sources: ['twelvedata'] },
  interval: { flag: '--interval', sources: ['twelvedata'] },
  creditsPerMinute: { flag: '--credits-per-minute', sources: ['twelvedata'] },
  creditsPerDay: { flag: '--credits-per-day', sources: ['twelvedata'] },
};

/** Throws a usage error naming the first option given that `source` does not take. */
export function checkSourceOptions(source: SourceName, given: Record<string, unknown>): void {
  for (const [key, { flag, sources }] of Object.entries(SOURCE_OPTIONS)) {
    const value = given[key];
    const present = Array.isArray(value) ? value.length > 0 : value !== undefined;
    if (present && !sources.includes(source)) {
      const takers = sources.map((s) => `--source ${s}`).join(', ');
      throw usageError(`${flag} does not apply to --source ${source}`, `it is an option of ${takers}`);
    }
  }
}

/** `-K`: an empty separator would split nothing and send every line without its key. */
export function checkKeySeparator(separator: string | undefined): void {
  if (separator === '') {
    throw usageError('--key-separator is empty', 'pass the text between key and value, e.g. -K : (or leave -K out)');
  }
}

/** A comma-separated flag value; one given but naming nothing is a mistake, not "the default". */
export function symbolList(flag: '--symbols' | '--crypto', value: string | undefined): string[] {
  const items = (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (value !== undefined && items.length === 0) {
    const example = flag === '--crypto' ? 'BTC/USD,ETH/USD' : 'AAPL,MSFT';
    throw usageError(`${flag} names no symbol`, `give a comma-separated list, e.g. ${flag} ${example}`);
  }
  return items;
}

/** An ISO 8601 time as ms since the epoch; a day the month does not have is a typo, not a roll-over. */
export function parseIsoTime(flag: string, value: string): number {
  const timestamp = Date.parse(value);
  const day = /^(\d{4})-(\d{2})-(\d{2})/.exec(value);
  // Date.parse rolls 2025-02-30 over to March 2nd.
  const asDate = day && new Date(Date.UTC(Number(day[1]), Number(day[2]) - 1, Number(day[3])));
  const real = asDate && asDate.toISOString().startsWith(day[0]);
  if (!real || Number.isNaN(timestamp)) {
    throw usageError(`"${value}" is not an ISO 8601 time`, `e.g. ${flag} 2025-01-31T14:30:00Z`);
  }
  return timestamp;
}

/** `--kinds` (sim, alpaca): which records to send, by the names of Alpaca's channels. */
export const KIND_NAMES = ['trades', 'quotes', 'bars'] as const;
export type KindName = (typeof KIND_NAMES)[number];

/** A `--kinds` list: known names, case and spaces ignored, each once; anything else is a usage error. */
export function parseKinds(value: string): KindName[] {
  const kinds = value
    .split(',')
    .map((k) => k.trim().toLowerCase())
    .filter(Boolean);
  const hint = `use ${KIND_NAMES.join(', ')}`;
  for (const kind of kinds) {
    if (!KIND_NAMES.includes(kind as KindName)) throw usageError(`--kinds: "${kind}" is not a kind of record`, hint);
  }
  if (!kinds.length) throw usageError('--kinds is empty', hint);
  return [...new Set(kinds)] as KindName[];
}

/** The record kind a `--kinds` name sends: trades -> trade. */
export function kindOf(name: KindName): MarketKind {
  return name.slice(0, -1) as MarketKind;
}
