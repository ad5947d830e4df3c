import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { sleep } from '../wait.js';
import { baseOptions, closeQuietly, engine, watchSocketErrors, withAdmin } from './client.js';
import { hasKafkaError, translateKafkaError } from './errors.js';
import { GrouplessReader, positionKey } from './read.js';
import { logRanges } from './topics.js';

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

/** Bytes asked per partition and Fetch while reading a whole topic. */
const FETCH_BYTES = 1024 * 1024;
/** Pause before asking again when a round brought nothing (a partition without a leader, say). */
const RETRY_PAUSE_MS = 200;

/**
 * Reads every record of a small topic, from its log start to the end it had when reading began,
 * in offset order per partition. No consumer group: the partitions' ranges come from
 * ListOffsets and the records from Fetch, nothing is committed, so reading leaves no group
 * behind in `kfeed group list` or Kafka's ConsumerGroupCommand.
 */
export async function readWholeTopic(
  settings: ConnectionSettings,
  topic: string,
  options: { signal?: AbortSignal; timeoutMs?: number; describe?: string } = {},
): Promise<StoredRecord[]> {
  const ranges = await withAdmin(settings, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const partitions = metadata.topics.get(topic)?.partitions.map((_, partition) => partition) ?? [];
    return logRanges(admin, topic, partitions);
  });
  const records: StoredRecord[] = [];
  if (!ranges) return records;
  const next = new Map([...ranges].map(([partition, r]) => [partition, BigInt(r.low)]));
  const end = new Map([...ranges].map(([partition, r]) => [partition, BigInt(r.high)]));
  const timeoutMs = options.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  const reader = await GrouplessReader.open(settings);
  try {
    for (;;) {
      const pending = [...next].filter(([partition, offset]) => offset < end.get(partition)!);
      if (pending.length === 0) return records;
      if (Date.now() > deadline) throw readTimeout(options.describe ?? `topic ${topic}`, timeoutMs, topic);
      const fetched = await reader.fetch(
        pending.map(([partition, offset]) => ({ topic, partition, offset })),
        FETCH_BYTES,
        options.signal,
      );
      let progress = false;
      // Each round asks from the next unread offset, so a record is never added twice.
      for (const record of fetched.records) {
        if (record.offset >= end.get(record.partition)!) continue;
        next.set(record.partition, record.offset + 1n);
        progress = true;
        records.push({
          key: record.key?.toString('utf8') ?? null,
          value: record.value ? record.value.toString('utf8') : null,
          partition: record.partition,
          offset: String(record.offset),
          timestamp: String(record.timestamp),
        });
      }
      // Answered with no record before the end: the rest was compacted away (or is transaction markers).
      for (const [partition, offset] of pending) {
        if (fetched.answered.has(positionKey(topic, partition)) && next.get(partition) === offset) {
          next.set(partition, end.get(partition)!);
          progress = true;
        }
      }
      if (!progress) await sleep(RETRY_PAUSE_MS, options.signal);
    }
  } finally {
    await reader.close();
  }
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
  settings: ConnectionSettings,
  topic: string,
  messages: Array<{ key: string; value: string | null }>,
): Promise<void> {
  const { Producer } = await engine();
  const producer = new Producer({ ...(await baseOptions(settings, { clientId: 'kfeed-records' })), idempotent: true });
  const explain = watchSocketErrors(producer);
  try {
    await producer.send({
      acks: -1,
      // A null value is a tombstone: the engine writes it as a record without a value.
      messages: messages.map((m) => ({
        topic,
        key: Buffer.from(m.key),
        value: (m.value === null ? null : Buffer.from(m.value)) as Buffer,
      })),
    });
  } catch (error) {
    if (hasKafkaError(error, 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE')) {
      const largest = Math.max(...messages.map((m) => m.key.length + (m.value?.length ?? 0)));
      throw new KfeedError('config', `the topic ${topic} refused a record of about ${largest} bytes as too large`, {
        hint: `raise its max.message.bytes (\`kfeed topic describe ${topic}\` shows it)`,
        cause: error,
      });
    }
    throw translateKafkaError(explain(error), settings);
  } finally {
    await closeQuietly(producer);
  }
}
