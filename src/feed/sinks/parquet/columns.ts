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

const RFC3339 = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9})\d*)?(Z|[+-]\d\d:\d\d)$/i;

/**
 * Nanoseconds since the epoch of an RFC 3339 time, keeping every digit up to nanoseconds
 * (Alpaca sends 9, kfeed's own times 3); undefined when it is not one.
 */
export function epochNanos(text: unknown): bigint | undefined {
  if (typeof text !== 'string') return undefined;
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3].toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  return BigInt(seconds) * 1_000_000n + BigInt((match[2] ?? '').padEnd(9, '0'));
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
  const eventNanos = event ? epochNanos(event.eventTime) : undefined;
  // Years outside 0000-9999 have no YYYY-MM-DD folder.
  const ms = eventNanos === undefined ? NaN : Number(eventNanos / 1_000_000n);
  const valid = ms >= -62_167_219_200_000 && ms < 253_402_300_800_000;
  return { record, event, eventNanos, fileMs: valid ? ms : Number(record.timestamp) };
}

const number = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isFinite(n) ? n : null;
};
const text = (v: unknown): string | null => (v === undefined || v === null ? null : String(v));

/** The value of a market column for an event, in the form the writer takes. */
function marketValue(spec: ColumnSpec, event: MarketEvent, nanos: bigint | undefined): unknown {
  const raw = (event as unknown as Record<string, unknown>)[spec.field!];
  switch (spec.type) {
    case 'double':
      return number(raw);
    case 'int64': {
      const n = number(raw);
      return n === null || !Number.isSafeInteger(n) ? null : BigInt(n);
    }
    case 'timestamp_ns':
      return nanos ?? null;
    case 'timestamp_ms': {
      const ns = epochNanos(raw);
      return ns === undefined ? null : ns / 1_000_000n;
    }
    case 'string_list':
      return Array.isArray(raw) ? raw.map(String) : null;
    default:
      return text(raw);
  }
}

export type ColumnArrays = Record<string, unknown[]>;

/** The records as column arrays (null where a row has no value), in COLUMNS order. */
export function columnArrays(rows: readonly PreparedRecord[]): ColumnArrays {
  const out: ColumnArrays = {};
  for (const spec of COLUMNS) out[spec.name] = new Array<unknown>(rows.length).fill(null);
  const marketSpecs = COLUMNS.filter((spec) => spec.field);
  for (let i = 0; i < rows.length; i++) {
    const { record, event, eventNanos } = rows[i];
    out.kafka_topic[i] = record.topic;
    out.kafka_partition[i] = record.partition;
    out.kafka_offset[i] = BigInt(record.offset);
    out.kafka_timestamp[i] = BigInt(record.timestamp);
    out.kafka_key[i] = record.key === null ? null : record.key.toString('utf8');
    out.kafka_headers[i] = Object.entries(record.headers).map(([key, value]) => ({ key, value }));
    if (event) {
      for (const spec of marketSpecs) out[spec.name][i] = marketValue(spec, event, eventNanos);
    } else if (record.value !== null) {
      out.value[i] = record.value.toString('utf8');
    }
  }
  return out;
}
