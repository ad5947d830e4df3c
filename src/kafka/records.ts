import crypto from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { KfeedError } from '../errors.js';
import { abortable } from '../wait.js';

/** One record of a small topic kfeed keeps for itself (the subscriber registry and its history). */
export interface StoredRecord {
  key: string | null;
  /** Null for a tombstone. */
  value: string | null;
  partition: number;
  offset: string;
  /** Kafka's record timestamp, ms since the epoch. */
  timestamp: string;
}

/**
 * Reads every record of a small topic, from its start to the end it had when reading began,
 * in offset order per partition. A consumer with a group of its own that commits nothing
 * reads the topic once; Kafka forgets such a group when it leaves.
 */
export async function readWholeTopic(
  kafka: Kafka,
  topic: string,
  options: { signal?: AbortSignal; timeoutMs?: number; describe?: string } = {},
): Promise<StoredRecord[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map<number, bigint>();
  try {
    if (!(await admin.listTopics()).includes(topic)) return [];
    for (const o of await admin.fetchTopicOffsets(topic)) {
      if (BigInt(o.high) > BigInt(o.low)) ends.set(o.partition, BigInt(o.high));
    }
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (ends.size === 0) return [];
  const records: StoredRecord[] = [];
  const pending = new Set(ends.keys());
  const next = new Map<number, bigint>();
  const consumer = kafka.consumer({ groupId: `kfeed-registry-reader-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 });
  let settle!: (error?: unknown) => void;
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  const timeoutMs = options.timeoutMs ?? 30_000;
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const end = ends.get(batch.partition);
        if (end === undefined) return;
        for (const message of batch.messages) {
          const offset = BigInt(message.offset);
          if (offset >= end) break;
          // A batch fetched again (after a rebalance) adds nothing twice.
          if (offset < (next.get(batch.partition) ?? 0n)) continue;
          next.set(batch.partition, offset + 1n);
          records.push({
            key: message.key?.toString('utf8') ?? null,
            value: message.value ? message.value.toString('utf8') : null,
            partition: batch.partition,
            offset: message.offset,
            timestamp: message.timestamp,
          });
        }
        if (BigInt(batch.lastOffset()) + 1n >= end) pending.delete(batch.partition);
        if (pending.size === 0) settle();
      },
    });
    timer = setTimeout(() => settle(readTimeout(options.describe ?? `topic ${topic}`, timeoutMs, topic)), timeoutMs);
    await abortable(finished, options.signal);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
}

function readTimeout(what: string, ms: number, topic: string): KfeedError {
  return new KfeedError('connection', `${what} could not be read within ${ms / 1000} s`, {
    hint:
      'check that this client may read it (an admin connection) and that its partition has a leader ' +
      `(\`kfeed topic describe ${topic}\`)`,
  });
}

/**
 * Appends records (acks=all, idempotent, in order): the commit point of every change kfeed
 * records. A value of null writes a tombstone. A record the topic refuses as too large is one line.
 */
export async function appendRecords(
  kafka: Kafka,
  topic: string,
  messages: Array<{ key: string; value: string | null }>,
): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } catch (error) {
    const type = (error as { type?: string }).type ?? (error as { cause?: { type?: string } }).cause?.type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
      const largest = Math.max(...messages.map((m) => m.key.length + (m.value?.length ?? 0)));
      throw new KfeedError('config', `the topic ${topic} refused a record of about ${largest} bytes as too large`, {
        hint: `raise its max.message.bytes (\`kfeed topic describe ${topic}\` shows it)`,
        cause: error,
      });
    }
    throw error;
  } finally {
    await producer.disconnect().catch(() => undefined);
  }
}
