import type { Consumer, RecordsBatch } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { abortable } from '../wait.js';
import { baseOptions, closeQuietly, engine, watchSocketErrors, type ClientOptions } from './client.js';
import { translateKafkaError } from './errors.js';

/**
 * Reads records at given offsets without a consumer group: Fetch requests through the engine's
 * consumer, which is never joined to a group and commits nothing, so reading leaves no trace
 * in `kfeed group list` (the subscriber registry, the first unread record of a lagging group).
 */

export interface FetchedRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Milliseconds since the epoch: the producer's time, or the broker's with LogAppendTime. */
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
}

/** What one round of Fetch requests brought, and which partitions the brokers answered without error. */
export interface Fetched {
  records: FetchedRecord[];
  /** `positionKey(topic, partition)` of each partition answered. */
  answered: Set<string>;
}

export const positionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export interface Position {
  topic: string;
  partition: number;
  offset: bigint;
}

/** A batch attribute: the batch holds transaction markers, not records. */
const CONTROL_BATCH = 0x20;
/** A batch attribute: its timestamps are the broker's (LogAppendTime), the batch's max timestamp. */
const LOG_APPEND_TIME = 0x08;
/** The engine's consumer needs a group id; this one never reaches a coordinator. */
const NO_GROUP = 'kfeed-fetch-without-group';

export class GrouplessReader {
  private constructor(
    private readonly consumer: Consumer,
    private readonly settings: ConnectionSettings,
    private readonly explain: (error: unknown) => unknown,
  ) {}

  static async open(settings: ConnectionSettings, options: ClientOptions = {}): Promise<GrouplessReader> {
    const { Consumer: ConsumerClass } = await engine();
    const consumer = new ConsumerClass({
      ...(await baseOptions(settings, { clientId: 'kfeed-reader', ...options })),
      groupId: NO_GROUP,
    });
    return new GrouplessReader(consumer, settings, watchSocketErrors(consumer));
  }

  async close(): Promise<void> {
    await closeQuietly(this.consumer);
  }

  /**
   * The records from each position on, as far as one Fetch per partition leader brings with
   * `bytesPerPartition` per partition (at least the first record, however large, from Kafka 2.x
   * on). Partitions without a leader, or that this client may not read, bring nothing and are
   * not in `answered`.
   */
  async fetch(positions: Position[], bytesPerPartition: number, signal?: AbortSignal): Promise<Fetched> {
    const found: FetchedRecord[] = [];
    const answered = new Set<string>();
    if (positions.length === 0) return { records: found, answered };
    try {
      const topics = [...new Set(positions.map((p) => p.topic))];
      const metadata = await abortable(this.consumer.metadata({ topics, forceUpdate: true }), signal);
      const byLeader = new Map<number, Position[]>();
      for (const position of positions) {
        const leader = metadata.topics.get(position.topic)?.partitions[position.partition]?.leader;
        if (leader === undefined || leader < 0) continue;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), position]);
      }
      const nameOfId = new Map([...metadata.topics].map(([name, t]) => [t.id, name]));
      await Promise.all(
        [...byLeader].map(async ([node, wanted]) => {
          const byTopic = new Map<string, Position[]>();
          for (const w of wanted) byTopic.set(w.topic, [...(byTopic.get(w.topic) ?? []), w]);
          const response = await abortable(
            this.consumer.fetch({
              node,
              maxWaitTime: 0,
              minBytes: 0,
              maxBytes: Math.min(64 * 1024 * 1024, bytesPerPartition * wanted.length),
              topics: [...byTopic].map(([topic, list]) => ({
                topicId: metadata.topics.get(topic)!.id,
                partitions: list.map((w) => ({
                  partition: w.partition,
                  fetchOffset: w.offset,
                  partitionMaxBytes: bytesPerPartition,
                  currentLeaderEpoch: -1,
                  lastFetchedEpoch: -1,
                })),
              })),
            }),
            signal,
          );
          const from = new Map(wanted.map((w) => [positionKey(w.topic, w.partition), w.offset]));
          for (const t of response.responses) {
            const topic = nameOfId.get(t.topicId) ?? t.topicId;
            for (const p of t.partitions) {
              if (p.errorCode !== 0) continue;
              answered.add(positionKey(topic, p.partitionIndex));
              const start = from.get(positionKey(topic, p.partitionIndex)) ?? 0n;
              for (const record of recordsOf(p.records ?? [], topic, p.partitionIndex))
                if (record.offset >= start) found.push(record);
            }
          }
        }),
      );
      return { records: found, answered };
    } catch (error) {
      if (error instanceof KfeedError) throw error;
      throw translateKafkaError(this.explain(error), this.settings);
    }
  }
}

/** The records of fetched batches, in offset order, transaction markers left out. */
export function recordsOf(batches: RecordsBatch[], topic: string, partition: number): FetchedRecord[] {
  const records: FetchedRecord[] = [];
  for (const batch of batches) {
    if (batch.attributes & CONTROL_BATCH) continue;
    for (const record of batch.records) {
      records.push({
        topic,
        partition,
        offset: batch.firstOffset + BigInt(record.offsetDelta),
        timestamp:
          batch.attributes & LOG_APPEND_TIME ? batch.maxTimestamp : batch.firstTimestamp + record.timestampDelta,
        key: record.key,
        value: record.value,
      });
    }
  }
  return records;
}
