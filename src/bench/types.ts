import type { ConnectionSettings } from '../config/connection.js';
import type { FeedProducerOptions } from '../feed/producer.js';

/** The header that carries a record's send time (ms since the epoch, µs precision) in e2e runs. */
export const SENT_AT_HEADER = 'kfeed-bench-sent';

export type BenchMode = 'produce' | 'consume' | 'e2e';

/** Checked by the bench commands before a run (count or duration, not both; e2e at a rate above 0). */
export interface BenchInput {
  settings: ConnectionSettings;
  /** An existing topic; without it a temporary topic is created and deleted afterwards. */
  topic?: string;
  /** Partitions of the temporary topic. */
  partitions: number;
  /** Bytes per message value (quote-shaped JSON). */
  size: number;
  /** Stop after this many messages ... */
  count?: number;
  /** ... or after this many seconds (produce and e2e). */
  durationSeconds?: number;
  /** Messages per second to send at; 0 sends as fast as the producer takes them. */
  rate: number;
  /** Key each message by its symbol, as the feed does; off sends null keys. */
  keyed: boolean;
  producer: Pick<FeedProducerOptions, 'idempotent' | 'acks' | 'compression' | 'lingerMs' | 'batchSize'>;
  /** e2e: seconds at the start whose messages are sent but not measured. */
  warmupSeconds?: number;
  /** Leave the temporary topic in place (for checking what the run wrote). */
  keepTopic?: boolean;
  signal?: AbortSignal;
  /** Called about twice a second while messages flow. */
  onProgress?: (progress: BenchProgress) => void;
}

export interface BenchProgress {
  phase: 'fill' | 'produce' | 'consume' | 'e2e';
  messages: number;
  /** The run's goal in messages, when it is a count. */
  target?: number;
  elapsedSeconds: number;
  /** Messages per second over the last interval. */
  rate: number;
}

export interface ThroughputResult {
  mode: BenchMode;
  topic: string;
  temporaryTopic: boolean;
  /** The temporary topic was left in place (--keep-topic). */
  keptTopic: boolean;
  partitions: number;
  messageBytes: number;
  messages: number;
  bytes: number;
  seconds: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  /** Messages the producer could not deliver (produce, e2e). */
  errors: number;
  /** consume: ms from opening the consumer (connect, group join) to the first record. */
  firstRecordMs?: number;
  /** Largest resident set of this process so far, in MB. */
  peakRssMb: number;
  interrupted: boolean;
  /** The producer's settings; null when no producer ran (consume of an existing --topic). */
  settings: BenchSettings | null;
}

export interface BenchSettings {
  acks: 'all' | '1' | '0';
  idempotent: boolean;
  compression: string;
  lingerMs: number;
  batchSize: number;
  keyed: boolean;
  rate: number;
}

export interface LatencyResult extends ThroughputResult {
  /** Messages per second asked for, and what was sent. */
  targetRate: number;
  sentPerSecond: number;
  received: number;
  /** Messages sent during the warm-up, received but not measured. */
  warmupMessages: number;
  latencyMs: {
    min: number;
    mean: number;
    p50: number;
    p95: number;
    p99: number;
    p999: number;
    max: number;
    samples: number;
  };
}
