/**
 * The columns of kfeed's Parquet objects (pure: the writer and the table definitions both
 * read this list). Every object has every column, whatever its records are: the Kafka
 * coordinates, then one typed column per field of the market schema (src/feed/schema.ts;
 * names in snake_case, which every SQL engine takes unquoted), null where a record's kind
 * has no such field, then `value`, the text of a record that is not a market event (a stdin
 * topic), null for market events. One schema for every topic: tables and readers never
 * meet two layouts.
 */
import type { ConsumedRecord } from '../../consumer.js';
import { parseMarketEvent, type MarketEvent, type MarketKind } from '../../schema.js';

export type ColumnType =
  'string' | 'int32' | 'int64' | 'double' | 'timestamp_ms' | 'timestamp_ns' | 'string_list' | 'string_map';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  /** Set on every row. */
  required?: boolean;
  /** The market kinds that fill it (undefined: a Kafka or generic column, in every table). */
  kinds?: MarketKind[];
  /** The market schema's field it holds. */
  field?: string;
}

const ALL: MarketKind[] = ['quote', 'trade', 'bar'];
const market = (name: string, field: string, type: ColumnType, kinds: MarketKind[] = ALL): ColumnSpec => ({
  name,
  field,
  type,
  kinds,
});

export const COLUMNS: readonly ColumnSpec[] = [
  { name: 'kafka_topic', type: 'string', required: true },
  { name: 'kafka_partition', type: 'int32', required: true },
  { name: 'kafka_offset', type: 'int64', required: true },
  { name: 'kafka_timestamp', type: 'timestamp_ms', required: true },
  { name: 'kafka_key', type: 'string' },
  { name: 'kafka_headers', type: 'string_map' },
  market('kind', 'kind', 'string'),
  market('symbol', 'symbol', 'string'),
  market('asset', 'asset', 'string'),
  market('event_time', 'eventTime', 'timestamp_ns'),
  market('receive_time', 'receiveTime', 'timestamp_ms'),
  market('bid_price', 'bidPrice', 'double', ['quote']),
  market('bid_size', 'bidSize', 'double', ['quote']),
  market('ask_price', 'askPrice', 'double', ['quote']),
  market('ask_size', 'askSize', 'double', ['quote']),
  market('bid_exchange', 'bidExchange', 'string', ['quote']),
  market('ask_exchange', 'askExchange', 'string', ['quote']),
  market('price', 'price', 'double', ['trade']),
  market('size', 'size', 'double', ['trade']),
  market('exchange', 'exchange', 'string', ['trade']),
  market('trade_id', 'tradeId', 'string', ['trade']),
  market('taker_side', 'takerSide', 'string', ['trade']),
  market('conditions', 'conditions', 'string_list', ['quote', 'trade']),
  market('tape', 'tape', 'string', ['quote', 'trade']),
  market('open', 'open', 'double', ['bar']),
  market('high', 'high', 'double', ['bar']),
  market('low', 'low', 'double', ['bar']),
  market('close', 'close', 'double', ['bar']),
  market('volume', 'volume', 'double', ['bar']),
  market('trade_count', 'tradeCount', 'int64', ['bar']),
  market('vwap', 'vwap', 'double', ['bar']),
  { name: 'value', type: 'string' },
];

/** An RFC 3339 time: milliseconds since the epoch, and the nanoseconds past them (0 to 999,999). */
interface Time {
  ms: number;
  subMs: number;
}

/** Digits of `text` from `from` to `to` as a number (checked to be digits before). */
function digits(text: string, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = value * 10 + text.charCodeAt(i) - 48;
  return value;
}

const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const leap = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
/** 400 Gregorian years, in ms: Date.UTC reads years 0-99 as 1900-1999, so those go 400 years up and back. */
const GREGORIAN_CYCLE_MS = 146_097 * 86_400_000;

/** Is the character at `at` a digit. */
const digitAt = (text: string, at: number) => {
  const c = text.charCodeAt(at);
  return c >= 48 && c <= 57;
};

/** `YYYY-MM-DDTHH:MM:SS` at the start of `text`: its shape (the ranges are checked apart). */
function dateTimeShape(text: string): boolean {
  for (let i = 0; i < 19; i++) {
    const ok =
      i === 4 || i === 7
        ? text[i] === '-'
        : i === 10
          ? text[i] === 'T' || text[i] === 't'
          : i === 13 || i === 16
            ? text[i] === ':'
            : digitAt(text, i);
    if (!ok) return false;
  }
  return true;
}

/**
 * An RFC 3339 time (`2025-01-02T14:30:00.123456789Z`, any number of fraction digits, `Z` or
 * an offset), read character by character: the sink reads two a record, and this is several
 * times cheaper than a regular expression and Date.parse. Digits past nanoseconds are cut.
 */
function parseTime(text: unknown): Time | undefined {
  if (typeof text !== 'string' || text.length < 20 || !dateTimeShape(text)) return undefined;
  let at = 19;
  let nanos = 0;
  if (text[at] === '.') {
    const start = ++at;
    while (at < text.length && digitAt(text, at)) {
      if (at - start < 9) nanos = nanos * 10 + text.charCodeAt(at) - 48;
      at++;
    }
    if (at === start) return undefined;
    for (let i = Math.min(at - start, 9); i < 9; i++) nanos *= 10;
  }
  let offsetMinutes = 0;
  if ((text[at] === 'Z' || text[at] === 'z') && at + 1 === text.length) {
    // UTC
  } else if ((text[at] === '+' || text[at] === '-') && at + 6 === text.length && text[at + 3] === ':') {
    if (!digitAt(text, at + 1) || !digitAt(text, at + 2) || !digitAt(text, at + 4) || !digitAt(text, at + 5))
      return undefined;
    const hours = digits(text, at + 1, at + 3);
    const minutes = digits(text, at + 4, at + 6);
    if (hours > 23 || minutes > 59) return undefined;
    offsetMinutes = (text[at] === '-' ? -1 : 1) * (hours * 60 + minutes);
  } else return undefined;
  const year = digits(text, 0, 4);
  const month = digits(text, 5, 7);
  const day = digits(text, 8, 10);
  const hour = digits(text, 11, 13);
  const minute = digits(text, 14, 16);
  const second = digits(text, 17, 19);
  const monthDays = month === 2 && leap(year) ? 29 : DAYS[month - 1];
  if (!monthDays || day < 1 || day > monthDays || hour > 23 || minute > 59 || second > 59) return undefined;
  const ms =
    (year < 100
      ? Date.UTC(year + 400, month - 1, day, hour, minute, second) - GREGORIAN_CYCLE_MS
      : Date.UTC(year, month - 1, day, hour, minute, second)) -
    offsetMinutes * 60_000;
  return { ms: ms + Math.floor(nanos / 1_000_000), subMs: nanos % 1_000_000 };
}

const nanosOf = (time: Time) => BigInt(time.ms) * 1_000_000n + (time.subMs ? BigInt(time.subMs) : 0n);

/**
 * Nanoseconds since the epoch of an RFC 3339 time, keeping every digit up to nanoseconds
 * (Alpaca sends 9, kfeed's own times 3); undefined when it is not one.
 */
export function epochNanos(text: unknown): bigint | undefined {
  const time = parseTime(text);
  return time && nanosOf(time);
}

/** A consumed record read once: its market event (if it is one) and the time it is filed under. */
export interface PreparedRecord {
  record: ConsumedRecord;
  event?: MarketEvent;
  eventNanos?: bigint;
  /** The event time in ms, else (not a market event, no valid time) the Kafka timestamp. */
  fileMs: number;
}

export function prepareRecord(record: ConsumedRecord): PreparedRecord {
  const event = parseMarketEvent(record.value);
  const time = event ? parseTime(event.eventTime) : undefined;
  // Years outside 0000-9999 have no YYYY-MM-DD folder.
  const valid = time !== undefined && time.ms >= -62_167_219_200_000 && time.ms < 253_402_300_800_000;
  return {
    record,
    event,
    eventNanos: time && nanosOf(time),
    fileMs: valid ? time.ms : Number(record.timestamp),
  };
}

const number = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};

/** How a market column reads its field, in the form the writer takes (64-bit times as ms or bigint). */
const READERS: Record<ColumnType, (raw: unknown, eventNanos: bigint | undefined) => unknown> = {
  double: number,
  int32: number,
  int64: (raw) => {
    const n = number(raw);
    return n === null || !Number.isSafeInteger(n) ? null : BigInt(n);
  },
  timestamp_ns: (_raw, eventNanos) => eventNanos ?? null,
  timestamp_ms: (raw) => parseTime(raw)?.ms ?? null,
  // JSON arrays of strings as they are (no copy); anything else in them as text.
  string_list: (raw) => (Array.isArray(raw) ? (raw.every((x) => typeof x === 'string') ? raw : raw.map(String)) : null),
  string_map: () => null,
  string: (raw) => (raw === undefined || raw === null ? null : String(raw)),
};

/** Per kind, the market columns its records fill, with their readers. */
const KIND_COLUMNS = Object.fromEntries(
  ALL.map((kind) => [
    kind,
    COLUMNS.filter((spec) => spec.kinds?.includes(kind)).map((spec) => ({
      name: spec.name,
      field: spec.field!,
      read: READERS[spec.type],
    })),
  ]),
) as Record<MarketKind, Array<{ name: string; field: string; read: (typeof READERS)[ColumnType] }>>;

export type ColumnArrays = Record<string, unknown[]>;

const headerEntries = (record: ConsumedRecord) =>
  Object.entries(record.headers).map(([key, value]) => ({ key, value }));

/** The same headers as the record before (the usual case: one source): its entries serve again. */
function sameHeaders(record: ConsumedRecord, before: ConsumedRecord): boolean {
  const keys = Object.keys(record.headers);
  if (keys.length !== Object.keys(before.headers).length) return false;
  return keys.every((key) => before.headers[key] === record.headers[key]);
}

/** The records as column arrays (null where a row has no value), in COLUMNS order. */
export function columnArrays(rows: readonly PreparedRecord[]): ColumnArrays {
  const out: ColumnArrays = {};
  for (const spec of COLUMNS) out[spec.name] = new Array<unknown>(rows.length).fill(null);
  for (let i = 0; i < rows.length; i++) {
    const { record, event, eventNanos } = rows[i];
    out.kafka_topic[i] = record.topic;
    out.kafka_partition[i] = record.partition;
    out.kafka_offset[i] = BigInt(record.offset);
    out.kafka_timestamp[i] = Number(record.timestamp);
    out.kafka_key[i] = record.key === null ? null : record.key.toString('utf8');
    out.kafka_headers[i] =
      i > 0 && sameHeaders(record, rows[i - 1].record) ? out.kafka_headers[i - 1] : headerEntries(record);
    if (event) {
      const fields = event as unknown as Record<string, unknown>;
      for (const column of KIND_COLUMNS[event.kind])
        out[column.name][i] = column.read(fields[column.field], eventNanos);
    } else if (record.value !== null) {
      out.value[i] = record.value.toString('utf8');
    }
  }
  return out;
}
