import type { MessageToProduce, Producer } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { baseOptions, closeQuietly, watchSocketErrors } from '../kafka/client.js';
import { translateKafkaError } from '../kafka/errors.js';
import type { FeedRecord } from './schema.js';

export const COMPRESSIONS = ['none', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

/**
 * Batches in flight at once, Kafka's limit for an idempotent producer. The engine writes one
 * request at a time to each broker; the others wait encoded, so the next request leaves as soon
 * as the previous is answered. A broker killed with SIGKILL mid-run loses or duplicates nothing
 * at this setting (test/produce-restart.test.ts, 500,000 records; bench/results/engine-fault-*).
 */
export const MAX_IN_FLIGHT = 5;

export interface FeedProducerOptions {
  /** Idempotent delivery with acks=all (default true). Off allows `acks`. */
  idempotent?: boolean;
  /** -1 (all, default), 1 (leader) or 0 (none); only without idempotence. */
  acks?: -1 | 0 | 1;
  compression?: Compression;
  /** How long a record may wait for companions before it is sent (default 5 ms). */
  lingerMs?: number;
  /** A batch is sent as soon as it holds this many records (default 1000). */
  batchSize?: number;
  /** `send` waits while this many records are queued (default 20 × batchSize). */
  maxQueued?: number;
  /** How long a batch may be retried (broker restarts, leader moves) before it fails. Default 120 s. */
  deliveryTimeoutMs?: number;
  /** Sends outstanding at once (default MAX_IN_FLIGHT). */
  maxInFlight?: number;
  clientId?: string;
}

export interface ProducerStats {
  /** Records handed to `send`. */
  sent: number;
  /** Records the brokers acknowledged. */
  acknowledged: number;
  /** Records whose delivery failed. */
  errors: number;
  /** Batches sent to the brokers. */
  batches: number;
  /** Records waiting in the accumulator or in flight. */
  pending: number;
}

export interface FeedProducer {
  /** Queues records; resolves once they are queued (waits while the queue is full). Throws after a delivery failed. */
  send(records: FeedRecord[]): Promise<void>;
  /** Resolves when every queued record is acknowledged; throws if any failed. */
  flush(): Promise<void>;
  /** Flushes, then disconnects. */
  close(): Promise<void>;
  stats(): ProducerStats;
}

/**
 * Kafka's murmur2 (the Java client's key hash) in 32-bit integer arithmetic: with the sign bit
 * masked it gives the partitions Java's DefaultPartitioner gives (the engine's own default
 * partitioner does not mask, and so differs for half the keys).
 */
export function murmur2(data: Buffer): number {
  const m = 0x5bd1e995;
  const length = data.length;
  let h = 0x9747b28c ^ length;
  const whole = length & ~3;
  for (let i = 0; i < whole; i += 4) {
    let k = data[i] | (data[i + 1] << 8) | (data[i + 2] << 16) | (data[i + 3] << 24);
    k = Math.imul(k, m);
    k ^= k >>> 24;
    k = Math.imul(k, m);
    h = Math.imul(h, m) ^ k;
  }
  const tail = length & 3;
  if (tail === 3) h ^= data[whole + 2] << 16;
  if (tail >= 2) h ^= data[whole + 1] << 8;
  if (tail >= 1) h = Math.imul(h ^ data[whole], m);
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

type EngineMessage = MessageToProduce<Buffer | undefined, Buffer, string, string>;

const asBytes = (value: Buffer | string) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value)));

/**
 * Keyed records go where Kafka's Java client would put them (murmur2 of the key). Unkeyed
 * records are spread by a hash of their value rather than round-robin, so that the same
 * record always lands on the same partition. The engine takes the result modulo the count.
 */
function stablePartition(message: EngineMessage): number {
  const hashed = message.key ?? message.value;
  return hashed ? murmur2(hashed) & 0x7fffffff : 0;
}

/** The record as the engine sends it, stamped with the time it was handed to `send` (as Java's client does). */
function toMessage(record: FeedRecord, timestamp: bigint): EngineMessage {
  return {
    topic: record.topic,
    timestamp,
    key: record.key === null || record.key === undefined ? undefined : asBytes(record.key),
    value: asBytes(record.value),
    ...(record.headers ? { headers: record.headers } : {}),
  };
}

const textSerializer = (value?: string) => (value === undefined ? undefined : Buffer.from(value));

/**
 * A producer with a small accumulator in front of the engine: at low rates a record leaves
 * after `lingerMs`; at high rates batches fill up while earlier ones are in flight, so
 * throughput grows with load. Up to `maxInFlight` batches are in flight at once.
 */
export async function createFeedProducer(
  settings: ConnectionSettings,
  options: FeedProducerOptions = {},
): Promise<FeedProducer> {
  const idempotent = options.idempotent ?? true;
  const acks = idempotent ? -1 : (options.acks ?? -1);
  const lingerMs = options.lingerMs ?? 5;
  const batchSize = options.batchSize ?? 1000;
  const maxQueued = options.maxQueued ?? batchSize * 20;
  const maxInFlight = Math.max(1, options.maxInFlight ?? MAX_IN_FLIGHT);
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;

  // A failed request is retried every 500 ms until the delivery timeout: a broker restart
  // (or a leader moving) is outlasted rather than reported.
  const retryDelayMs = 500;
  const retries = Math.max(5, Math.ceil(deliveryTimeoutMs / retryDelayMs));
  const { Producer: EngineProducer } = await import('@platformatic/kafka');
  const base = await baseOptions(settings, {
    clientId: options.clientId ?? 'kfeed-producer',
    retries,
    retryDelayMs,
    requestTimeoutMs: 30_000,
  });
  const producer: Producer<Buffer | undefined, Buffer, string, string> = new EngineProducer({
    ...base,
    idempotent,
    acks,
    compression: options.compression ?? 'none',
    autocreateTopics: false,
    partitioner: stablePartition,
    serializers: { headerKey: textSerializer, headerValue: textSerializer },
  });
  // A broker refusing the certificate says so in a TLS alert the engine reports as "closed".
  const explain = watchSocketErrors(producer);
  try {
    // Connects, and for idempotence gets the producer id: a wrong address or refused
    // certificate fails here, before anything is queued.
    if (idempotent) await producer.initIdempotentProducer({});
    else await producer.metadata({ topics: [] });
  } catch (error) {
    await closeQuietly(producer);
    throw translateKafkaError(explain(error), settings);
  }

  const stats: ProducerStats = { sent: 0, acknowledged: 0, errors: 0, batches: 0, pending: 0 };
  let queue: EngineMessage[] = [];
  const inFlight = new Set<Promise<void>>();
  let lingerTimer: NodeJS.Timeout | undefined;
  let failure: KfeedError | undefined;
  let closed = false;
  const drainWaiters: Array<() => void> = [];

  const wakeDrainWaiters = () => {
    while (drainWaiters.length && (queue.length < maxQueued || failure)) drainWaiters.shift()!();
  };

  const sendOne = async (batch: EngineMessage[]) => {
    try {
      await producer.send({ messages: batch });
      stats.acknowledged += batch.length;
    } catch (error) {
      stats.errors += batch.length;
      failure ??= translateKafkaError(explain(error), settings);
    } finally {
      stats.batches += 1;
      stats.pending -= batch.length;
    }
  };

  /** Starts sends while there is room in flight; each finished send starts the next. */
  const pump = () => {
    if (lingerTimer) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
    }
    while (inFlight.size < maxInFlight && queue.length > 0 && !failure) {
      const batch = queue.length > batchSize ? queue.splice(0, batchSize) : queue;
      if (batch === queue) queue = [];
      const sending: Promise<void> = sendOne(batch).finally(() => {
        inFlight.delete(sending);
        // Whatever arrived meanwhile is a batch already: send it without lingering.
        if (queue.length > 0) pump();
        wakeDrainWaiters();
      });
      inFlight.add(sending);
    }
    wakeDrainWaiters();
  };

  const schedule = () => {
    if (queue.length >= batchSize) return pump();
    if (!lingerTimer && inFlight.size === 0)
      lingerTimer = setTimeout(() => ((lingerTimer = undefined), pump()), lingerMs);
  };

  const api: FeedProducer = {
    async send(records) {
      if (failure) throw failure;
      if (closed) throw new KfeedError('internal', 'the producer is closed');
      const now = BigInt(Date.now());
      for (const record of records) queue.push(toMessage(record, now));
      stats.sent += records.length;
      stats.pending += records.length;
      schedule();
      while (queue.length >= maxQueued && !failure) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      if (failure) throw failure;
    },
    async flush() {
      for (;;) {
        if (inFlight.size) await Promise.all(inFlight);
        else if (failure || queue.length === 0) break;
        else pump();
      }
      if (failure) {
        // After a failed batch nothing more is sent: what is left counts as not delivered.
        stats.errors += queue.length;
        stats.pending -= queue.length;
        queue = [];
        throw failure;
      }
    },
    async close() {
      if (closed) return;
      try {
        if (!failure) await api.flush();
      } finally {
        closed = true;
        if (lingerTimer) clearTimeout(lingerTimer);
        await closeQuietly(producer);
      }
      if (failure) throw failure;
    },
    stats: () => ({ ...stats }),
  };
  return api;
}
