import type { Kafka, Message, Producer, ICustomPartitioner } from 'kafkajs';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { createKafka } from '../kafka/client.js';
import { translateKafkaError } from '../kafka/errors.js';
import type { FeedRecord } from './schema.js';

export const COMPRESSIONS = ['none', 'gzip'] as const;
export type Compression = (typeof COMPRESSIONS)[number];

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
 * Kafka's murmur2 (the Java client's key hash) in 32-bit integer arithmetic. It gives the
 * same partitions as kafkajs's DefaultPartitioner, whose murmur2 builds 64-bit Long objects
 * for every 4 bytes: hashing 200-byte values that way took half the producer's CPU.
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

const asBytes = (value: Buffer | string) => (Buffer.isBuffer(value) ? value : Buffer.from(String(value)));

/**
 * Keyed records go where Kafka's Java client would put them (murmur2 of the key). Unkeyed
 * records are spread by a hash of their value rather than round-robin, so that a batch
 * kafkajs retries lands on the same partitions with the same sequence numbers and the
 * idempotent broker recognises the duplicate.
 */
const stablePartitioner: ICustomPartitioner =
  () =>
  ({ partitionMetadata, message }) => {
    if (message.partition !== null && message.partition !== undefined) return message.partition;
    const partitions = partitionMetadata.length;
    if (partitions <= 1) return 0;
    const hashed = message.key ?? message.value;
    return hashed === null || hashed === undefined ? 0 : (murmur2(asBytes(hashed)) & 0x7fffffff) % partitions;
  };

function toMessage(record: FeedRecord): Message {
  return {
    key: record.key ?? null,
    value: record.value,
    headers: record.headers,
  };
}

/**
 * A producer with a small accumulator in front of kafkajs: at low rates a record leaves
 * after `lingerMs`; at high rates batches fill up while the previous one is in flight, so
 * throughput grows with load. One batch is in flight at a time, which keeps the idempotent
 * sequence numbers in order.
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
  const { CompressionTypes } = (await import('kafkajs')).default;
  const compression = options.compression === 'gzip' ? CompressionTypes.GZIP : CompressionTypes.None;
  const deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000;

  // Retries back off up to 2 s each; enough of them to outlast the delivery timeout. The
  // client's own retries (reconnecting, metadata) must last as long, or a broker restart
  // ends the run while the producer would still be willing to wait.
  const retries = Math.max(5, Math.ceil(deliveryTimeoutMs / 2000));
  const kafka: Kafka = await createKafka(settings, { clientId: options.clientId ?? 'kfeed-producer', retries });
  const producer: Producer = kafka.producer({
    idempotent,
    maxInFlightRequests: idempotent ? 1 : undefined,
    allowAutoTopicCreation: false,
    createPartitioner: stablePartitioner,
    retry: { retries, initialRetryTime: 200, maxRetryTime: 2000 },
  });
  try {
    await producer.connect();
  } catch (error) {
    throw translateKafkaError(error, settings);
  }

  const stats: ProducerStats = { sent: 0, acknowledged: 0, errors: 0, batches: 0, pending: 0 };
  let queue: FeedRecord[] = [];
  let inFlight: Promise<void> | undefined;
  let lingerTimer: NodeJS.Timeout | undefined;
  let failure: KfeedError | undefined;
  let closed = false;
  const drainWaiters: Array<() => void> = [];

  const wakeDrainWaiters = () => {
    while (drainWaiters.length && (queue.length < maxQueued || failure)) drainWaiters.shift()!();
  };

  const sendOne = async (batch: FeedRecord[]) => {
    const byTopic = new Map<string, Message[]>();
    for (const record of batch) {
      let messages = byTopic.get(record.topic);
      if (!messages) byTopic.set(record.topic, (messages = []));
      messages.push(toMessage(record));
    }
    try {
      await producer.sendBatch({
        acks,
        compression,
        timeout: 30_000,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      stats.acknowledged += batch.length;
    } catch (error) {
      stats.errors += batch.length;
      failure ??= translateKafkaError(error, settings);
    } finally {
      stats.batches += 1;
      stats.pending -= batch.length;
    }
  };

  /** Starts sending the queue if nothing is in flight; chains itself while records keep coming. */
  const pump = () => {
    if (inFlight || queue.length === 0 || failure) return;
    if (lingerTimer) {
      clearTimeout(lingerTimer);
      lingerTimer = undefined;
    }
    const batch = queue.length > batchSize ? queue.splice(0, batchSize) : queue;
    if (batch === queue) queue = [];
    wakeDrainWaiters();
    inFlight = sendOne(batch).finally(() => {
      inFlight = undefined;
      // Whatever arrived meanwhile is a batch already: send it without lingering.
      if (queue.length > 0) pump();
      wakeDrainWaiters();
    });
  };

  const schedule = () => {
    if (queue.length >= batchSize) return pump();
    if (!lingerTimer && !inFlight) lingerTimer = setTimeout(() => ((lingerTimer = undefined), pump()), lingerMs);
  };

  const api: FeedProducer = {
    async send(records) {
      if (failure) throw failure;
      if (closed) throw new KfeedError('internal', 'the producer is closed');
      for (const record of records) {
        queue.push(record);
        stats.sent += 1;
        stats.pending += 1;
      }
      schedule();
      while (queue.length >= maxQueued && !failure) await new Promise<void>((resolve) => drainWaiters.push(resolve));
      if (failure) throw failure;
    },
    async flush() {
      for (;;) {
        if (inFlight) await inFlight;
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
        await producer.disconnect().catch(() => undefined);
      }
      if (failure) throw failure;
    },
    stats: () => ({ ...stats }),
  };
  return api;
}
