import type { ConsumedRecord } from '../consumer.js';

/** A record as one JSON object: what `--format json` prints and the S3 sink stores. */
export interface RecordJson {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  headers: Record<string, string>;
  timestamp: string;
  /** The value parsed when it is JSON, else its text. */
  value: unknown;
}

function parsedValue(value: Buffer | null): unknown {
  if (value === null) return null;
  const text = value.toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function recordJson(record: ConsumedRecord): RecordJson {
  return {
    topic: record.topic,
    partition: record.partition,
    offset: Number(record.offset),
    key: record.key === null ? null : record.key.toString('utf8'),
    headers: record.headers,
    timestamp: new Date(Number(record.timestamp)).toISOString(),
    value: parsedValue(record.value),
  };
}

export const FORMATS = ['line', 'json', 'raw', 'ticker'] as const;
export type OutputFormat = (typeof FORMATS)[number];

/** One record as text for the streaming formats (with its newline). */
export function formatRecord(record: ConsumedRecord, format: Exclude<OutputFormat, 'ticker'>): string {
  switch (format) {
    case 'line':
      // As the original consumer.py printed it.
      return (
        `${record.topic}:${record.partition}:${record.offset}: ` +
        `value=${record.value === null ? '' : record.value.toString('utf8')}\n`
      );
    case 'json':
      return JSON.stringify(recordJson(record)) + '\n';
    case 'raw':
      return (record.value === null ? '' : record.value.toString('utf8')) + '\n';
  }
}
