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

/** An RFC 3339 time: milliseconds since the epoch, and the nanoseconds past them (0 to 999,999). */
interface Time {
  ms: number;
  subMs: number;
}

function parseTime(text: unknown): Time | undefined {
  if (typeof text !== 'string') return undefined;
  const match = RFC3339.exec(text);
  if (!match) return undefined;
  const seconds = Date.parse(`${match[1]}${match[3].toUpperCase()}`);
  if (Number.isNaN(seconds)) return undefined;
  const fraction = (match[2] ?? '').padEnd(9, '0');
  return { ms: seconds + Number(fraction.slice(0, 3)), subMs: Number(fraction.slice(3)) };
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
  string_list: (raw) => (Array.isArray(raw) ? raw.map(String) : null),
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
    out.kafka_headers[i] = Object.entries(record.headers).map(([key, value]) => ({ key, value }));
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
