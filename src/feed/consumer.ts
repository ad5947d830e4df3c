import type { Admin, Consumer, Kafka } from 'kafkajs';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { createKafka, withAdmin } from '../kafka/client.js';
import { translateKafkaError } from '../kafka/errors.js';
import { explainGroupFailure } from '../kafka/groups.js';
import { requireTopics } from '../kafka/topics.js';

/** Where to start reading when the group has no committed offset (or when told to ignore it). */
export type StartPosition =
  | { from: 'committed'; fallback: 'earliest' | 'latest' }
  | { from: 'offset'; offset: string }
  | { from: 'time'; timestamp: number };

export interface FeedConsumerOptions {
  topics: string[];
  groupId: string;
  start: StartPosition;
  /** Read only this partition (of every topic). */
  partition?: number;
  /** Stop once every partition is read up to the end it had when reading began. */
  exitAtEnd?: boolean;
  clientId?: string;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Kafka's record timestamp, ms since the epoch (as kafkajs gives it, a string). */
  timestamp: string;
}

export interface FeedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

export interface ConsumeControl {
  /** Commits `offset` (the next one to read) for the partition in the group. */
  commit(topic: string, partition: number, offset: string): Promise<void>;
  /** Ends the run: `consume` resolves once the current batch handler returns. */
  stop(): void;
}

export interface FeedConsumer {
  /**
   * Calls `onBatch` for each batch, one at a time, until `signal` aborts, `stop()` is
   * called, `exitAtEnd` is reached or an error occurs. Nothing is committed unless the
   * handler commits: a batch handled but not committed is read again after a restart.
   */
  consume(
    onBatch: (batch: FeedBatch, control: ConsumeControl) => Promise<void>,
    signal?: AbortSignal,
    hooks?: {
      /** Runs after a clean end while commits still work (a sink writes its buffers). */
      beforeStop?: () => Promise<void>;
    },
  ): Promise<void>;
  /** Commits `offset` (the next one to read) for the partition, e.g. from a timer while idle. */
  commit(topic: string, partition: number, offset: string): Promise<void>;
  /** Partitions currently assigned to this consumer (topic -> partitions). */
  assignment(): Map<string, number[]>;
  close(): Promise<void>;
}

function headerText(headers: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value === undefined) continue;
    out[name] = Array.isArray(value)
      ? value.map(String).join(',')
      : Buffer.isBuffer(value)
        ? value.toString('utf8')
        : String(value);
  }
  return out;
}

/**
 * The partitions of each topic. A topic this client may not describe is "not authorized"
 * (exit 6), as for `produce`, never "does not exist": the broker's list leaves it out either way.
 */
async function checkTopics(
  admin: Admin,
  topics: string[],
  settings: ConnectionSettings,
): Promise<Map<string, number[]>> {
  await withAdmin(settings, (engineAdmin) => requireTopics(engineAdmin, topics, settings));
  const metadata = await admin.fetchTopicMetadata({ topics });
  return new Map(metadata.topics.map((t) => [t.name, t.partitions.map((p) => p.partitionId).sort((a, b) => a - b)]));
}

/**
 * Retries group calls while the group's coordinator is being elected or loading (a new
 * group, a restarted broker): kafkajs's admin and commit calls do not.
 */
async function whileCoordinatorMoves<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      const e = error as { retriable?: boolean; type?: string };
      if (attempt >= 20 || !(e.retriable || /COORDINATOR/.test(e.type ?? ''))) throw error;
      await new Promise((resolve) => setTimeout(resolve, Math.min(2000, 100 * attempt)));
    }
  }
}

/** The offset each partition will be read from, for seeking and for knowing where the end is. */
async function startOffsets(admin: Admin, options: FeedConsumerOptions, partitions: Map<string, number[]>) {
  const starts = new Map<string, { start: bigint; end: bigint; seek?: string }>();
  for (const [topic, ids] of partitions) {
    const ends = await admin.fetchTopicOffsets(topic);
    const byTime =
      options.start.from === 'time' ? await admin.fetchTopicOffsetsByTimestamp(topic, options.start.timestamp) : [];
    const committed =
      options.start.from === 'committed'
        ? ((await whileCoordinatorMoves(() => admin.fetchOffsets({ groupId: options.groupId, topics: [topic] })))[0]
            ?.partitions ?? [])
        : [];
    for (const id of ids) {
      const range = ends.find((o) => o.partition === id)!;
      const low = BigInt(range.low);
      const high = BigInt(range.high);
      let start: bigint;
      let seek: string | undefined;
      if (options.start.from === 'offset') {
        start = BigInt(options.start.offset);
        if (start < low) start = low;
        if (start > high) start = high;
        seek = start.toString();
      } else if (options.start.from === 'time') {
        const found = byTime.find((o) => o.partition === id);
        // No record at or after the time: Kafka answers -1, i.e. the end.
        start = found && found.offset !== '-1' ? BigInt(found.offset) : high;
        seek = start.toString();
      } else {
        const c = committed.find((o) => o.partition === id);
        if (c && c.offset !== '-1') start = BigInt(c.offset);
        else start = options.start.fallback === 'earliest' ? low : high;
        if (start < low) start = low;
      }
      starts.set(`${topic}:${id}`, { start, end: high, seek });
    }
  }
  return starts;
}

export async function openFeedConsumer(
  settings: ConnectionSettings,
  options: FeedConsumerOptions,
): Promise<FeedConsumer> {
  const kafka: Kafka = await createKafka(settings, { clientId: options.clientId ?? 'kfeed-consumer', retries: 5 });
  const admin = kafka.admin();
  let partitions: Map<string, number[]>;
  let starts: Awaited<ReturnType<typeof startOffsets>>;
  try {
    await admin.connect();
    partitions = await checkTopics(admin, options.topics, settings);
    if (options.partition !== undefined) {
      for (const [topic, ids] of partitions) {
        if (!ids.includes(options.partition)) {
          throw new KfeedError('usage', `topic ${topic} has no partition ${options.partition}`, {
            hint: `its partitions are 0 to ${ids.length - 1}`,
          });
        }
      }
    }
    starts = await startOffsets(admin, options, partitions);
  } catch (error) {
    throw await explainGroupFailure(error, settings, options.groupId, options.topics[0]);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const wanted = (topic: string, partition: number) =>
    options.partition === undefined || partition === options.partition;

  const consumer: Consumer = kafka.consumer({
    groupId: options.groupId,
    allowAutoTopicCreation: false,
    // Short enough that a member killed with SIGKILL is replaced within seconds.
    sessionTimeout: 10_000,
    heartbeatInterval: 3000,
    maxWaitTimeInMs: 250,
    retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 3000 },
  });
  let assigned = new Map<string, number[]>();
  consumer.on(consumer.events.GROUP_JOIN, (event) => {
    assigned = new Map(
      Object.entries(event.payload.memberAssignment).map(([t, ps]) => [t, ps.filter((p) => wanted(t, p))]),
    );
  });
  try {
    await consumer.connect();
    await consumer.subscribe({
      topics: options.topics,
      fromBeginning: options.start.from === 'committed' && options.start.fallback === 'earliest',
    });
  } catch (error) {
    await consumer.disconnect().catch(() => undefined);
    throw translateKafkaError(error, settings);
  }

  const commit = async (topic: string, partition: number, offset: string) => {
    try {
      await whileCoordinatorMoves(() => consumer.commitOffsets([{ topic, partition, offset }]));
    } catch (error) {
      throw await explainGroupFailure(error, settings, options.groupId, topic);
    }
  };

  // Partitions still to be read up to their end (for exitAtEnd).
  const unfinished = new Set<string>();
  for (const [key, { start, end }] of starts) {
    const [topic, partition] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
    if (wanted(topic, partition) && start < end) unfinished.add(key);
  }

  return {
    assignment: () => assigned,
    commit,
    async consume(onBatch, signal, hooks) {
      if (options.exitAtEnd && unfinished.size === 0) return;
      let stopping = false;
      let finish!: () => void;
      let fail!: (error: unknown) => void;
      const done = new Promise<void>((resolve, reject) => ((finish = resolve), (fail = reject)));
      // kafkajs reports a failed start twice (CRASH, then run() rejects): `done` is not awaited then.
      done.catch(() => undefined);
      const stop = () => {
        stopping = true;
        finish();
      };
      const onAbort = () => stop();
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) stop();
      const control: ConsumeControl = {
        commit,
        stop,
      };
      let crashed = false;
      consumer.on(consumer.events.CRASH, (event) => {
        if (event.payload.restart) return;
        // Set at once: what runs next must know the consumer is gone before the explanation is ready.
        crashed = true;
        void explainGroupFailure(event.payload.error, settings, options.groupId, options.topics[0]).then(fail);
      });
      try {
        await consumer.run({
          autoCommit: false,
          eachBatchAutoResolve: true,
          partitionsConsumedConcurrently: 1,
          eachBatch: async ({ batch, heartbeat }) => {
            if (stopping || !wanted(batch.topic, batch.partition)) return;
            const key = `${batch.topic}:${batch.partition}`;
            const end = starts.get(key)?.end;
            const records: ConsumedRecord[] = batch.messages.map((m) => ({
              topic: batch.topic,
              partition: batch.partition,
              offset: m.offset,
              key: m.key ?? null,
              value: m.value ?? null,
              headers: headerText(m.headers as Record<string, unknown>),
              timestamp: m.timestamp,
            }));
            // With exitAtEnd, records beyond the end the partition had at the start are not ours.
            const mine =
              options.exitAtEnd && end !== undefined ? records.filter((r) => BigInt(r.offset) < end) : records;
            if (mine.length) await onBatch({ topic: batch.topic, partition: batch.partition, records: mine }, control);
            await heartbeat();
            if (
              options.exitAtEnd &&
              end !== undefined &&
              records.length &&
              BigInt(records[records.length - 1].offset) + 1n >= end
            ) {
              unfinished.delete(key);
              if (unfinished.size === 0) stop();
            }
          },
        });
        // A start that failed (e.g. no access to the group) crashed the consumer: report that.
        if (crashed) await done;
        for (const [key, { seek }] of starts) {
          if (!seek) continue;
          const at = key.lastIndexOf(':');
          const partition = Number(key.slice(at + 1));
          if (wanted(key.slice(0, at), partition)) consumer.seek({ topic: key.slice(0, at), partition, offset: seek });
        }
        if (options.partition !== undefined) {
          const others = [...partitions]
            .map(([topic, ids]) => ({ topic, partitions: ids.filter((p) => p !== options.partition) }))
            .filter((t) => t.partitions.length);
          if (others.length) consumer.pause(others);
        }
        await done;
        await hooks?.beforeStop?.();
      } catch (error) {
        throw await explainGroupFailure(error, settings, options.groupId, options.topics[0]);
      } finally {
        signal?.removeEventListener('abort', onAbort);
        await consumer.stop().catch(() => undefined);
      }
    },
    async close() {
      await consumer.disconnect().catch(() => undefined);
    },
  };
}
