import type { Consumer, ConsumerOptions, ConsumeOptions, MessagesStream } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { baseOptions, watchSocketErrors, withAdmin } from '../kafka/client.js';
import { translateKafkaError } from '../kafka/errors.js';
import { explainGroupFailure } from '../kafka/groups.js';
import { requireTopics } from '../kafka/topics.js';
import { abortable } from '../wait.js';
import {
  chooseGroupProtocol,
  protocolRefused,
  startOffsets,
  topicPartitions,
  type GroupProtocol,
  type PartitionStart,
  type StartPosition,
} from './consumer-start.js';
import { groupMembership, whileCoordinatorMoves, withoutGroup } from './membership.js';
import { streamReader, toRecord } from './stream-reader.js';

export { GROUP_PROTOCOLS, type GroupProtocol, type StartPosition } from './consumer-start.js';

/**
 * Fetch sizes, set explicitly: the engine parses a response from the list of socket chunks it
 * arrived in, searching that list from its start for every field, so the cost per record grows
 * with the response. Responses of a few MB read fastest (bench/results/engines-*.md); the
 * defaults (50 MB) read 500,000 records at a seventh of the speed.
 */
export const FETCH_MAX_BYTES = 3 << 20;
export const FETCH_PARTITION_BYTES = 512 << 10;

export interface FeedConsumerOptions {
  topics: string[];
  /** Without a group every partition (or `partition`) is read, and nothing is committed. */
  groupId?: string;
  start: StartPosition;
  /** Read only this partition (of every topic). */
  partition?: number;
  /** Stop once every partition is read up to the end it had when reading began. */
  exitAtEnd?: boolean;
  /** Default: consumer (KIP-848) where the brokers serve it, else classic. */
  groupProtocol?: GroupProtocol;
  clientId?: string;
}

export interface ConsumedRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
  /** Kafka's record timestamp, ms since the epoch, as a decimal string. */
  timestamp: string;
}

export interface FeedBatch {
  topic: string;
  partition: number;
  records: ConsumedRecord[];
}

/**
 * Commits `offset` (the next one to read) for the partition in the group. Resolves false, not
 * committed, when the partition went to another member of the group while committing (a
 * rebalance): what this member read of it is the new owner's to read again.
 */
export type CommitOffset = (topic: string, partition: number, offset: string) => Promise<boolean>;

export interface ConsumeControl {
  commit: CommitOffset;
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
  /** Commits as `ConsumeControl.commit`, e.g. from a timer while idle. */
  commit: CommitOffset;
  /** Partitions currently assigned to this consumer (topic -> partitions). */
  assignment(): Map<string, number[]>;
  /**
   * The token of this consumer's current assignment of a partition (Ownership), undefined while
   * it is not assigned: records read under another token are not this assignment's.
   */
  owner(topic: string, partition: number): number | undefined;
  /** The group's committed offset of a partition (the next to read); undefined: none, or no group. */
  committed(topic: string, partition: number): Promise<bigint | undefined>;
  /**
   * Reads every partition of this member again from the group's commit (where it has none: on
   * from what was read), once the current batch handler returns. The engine's stream can be
   * past the commit after a rebalance for good: a fetch under way while the group rebalanced
   * lands after the stream went back to the commits and moves it on again. No-op without a group.
   */
  rewind(): void;
  /** The group protocol the consumer joins with; null when it reads without a group. */
  readonly groupProtocol: GroupProtocol | null;
  close(): Promise<void>;
}

type EngineConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;
export async function openFeedConsumer(
  settings: ConnectionSettings,
  options: FeedConsumerOptions,
): Promise<FeedConsumer> {
  const { Consumer: EngineConsumerClass, MessagesStream: StreamClass } = await import('@platformatic/kafka');
  const base = await baseOptions(settings, {
    clientId: options.clientId ?? 'kfeed-consumer',
    retries: 10,
    retryDelayMs: 300,
  });
  const fetchOptions = {
    minBytes: 1,
    maxBytes: FETCH_MAX_BYTES,
    maxBytesPerPartition: FETCH_PARTITION_BYTES,
    maxWaitTime: 250,
  };
  const groupId = options.groupId;
  // A broker refusing the certificate says so in a TLS alert the engine reports as "closed".
  let explain: (error: unknown) => unknown = (error) => error;
  const make = (protocol: GroupProtocol): EngineConsumer => {
    const group: Partial<ConsumerOptions<Buffer, Buffer, Buffer, Buffer>> =
      protocol === 'consumer'
        ? { groupProtocol: 'consumer' }
        : // Short enough that a member killed with SIGKILL is replaced within seconds.
          { groupProtocol: 'classic', sessionTimeout: 10_000, heartbeatInterval: 3000, rebalanceTimeout: 30_000 };
    const client = new EngineConsumerClass({
      ...base,
      // The engine wants a group id even when none is joined; it is never used then.
      groupId: groupId ?? 'kfeed-no-group',
      autocommit: false,
      ...fetchOptions,
      ...group,
    } as ConsumerOptions<Buffer, Buffer, Buffer, Buffer>);
    explain = watchSocketErrors(client);
    return client;
  };

  // The lookups go through a classic client: it asks for committed offsets as an admin does
  // (no member, epoch -1), which a KIP-848 member that has not joined yet cannot.
  let consumer = make('classic');
  let protocol: GroupProtocol | null = null;
  let partitions: Map<string, number[]>;
  let starts: PartitionStart[];
  try {
    // First, as it reaches the cluster (a silent broker or Ctrl-C ends this at once). A topic this
    // client may not describe is "not authorized" (exit 6), never "does not exist": the broker's
    // list leaves it out either way, so it is asked for by name.
    await withAdmin(settings, (admin) => requireTopics(admin, options.topics, settings));
    if (groupId !== undefined) protocol = await chooseGroupProtocol(consumer, options.groupProtocol);
    partitions = await topicPartitions(consumer, options.topics);
    if (options.partition !== undefined) {
      for (const [topic, ids] of partitions) {
        if (!ids.includes(options.partition)) {
          throw new KfeedError('usage', `topic ${topic} has no partition ${options.partition}`, {
            hint: `its partitions are 0 to ${ids.length - 1}`,
          });
        }
      }
    }
    const probe = consumer;
    const groupCommits = () =>
      whileCoordinatorMoves(() =>
        probe.listCommittedOffsets({ topics: [...partitions].map(([topic, ids]) => ({ topic, partitions: ids })) }),
      );
    starts = await startOffsets(consumer, options.start, partitions, groupCommits);
    if (protocol === 'consumer') {
      await consumer.close(true);
      consumer = make(protocol);
    }
  } catch (error) {
    await consumer.close(true).catch(() => undefined);
    throw groupId === undefined
      ? translateKafkaError(explain(error), settings)
      : await explainGroupFailure(explain(error), settings, groupId, options.topics[0]);
  }
  const wanted = (partition: number) => options.partition === undefined || partition === options.partition;
  const ends = new Map(starts.map((s) => [`${s.topic}:${s.partition}`, s.end]));

  const membership =
    groupId === undefined
      ? withoutGroup(partitions, wanted)
      : groupMembership(consumer, protocol ?? 'classic', wanted, (error, topic) =>
          explainGroupFailure(explain(error), settings, groupId, topic ?? options.topics[0]),
        );

  // Partitions still to be read up to their end (for exitAtEnd).
  const unfinished = new Set(
    starts.filter((s) => wanted(s.partition) && s.start < s.end).map((s) => `${s.topic}:${s.partition}`),
  );

  let rewinding = false;
  /** A stop came while joining the group: the join never ended. */
  let joinAbandoned = false;
  /**
   * A stream that reads each partition from the group's commit; where there is none, on from
   * what this run took (`taken`), else from where reading began. Manual, as only a manual
   * stream takes offsets: after a later rebalance the sink asks again.
   */
  const fromCommits = async (taken: Map<string, bigint>): Promise<ConsumeOptions<Buffer, Buffer, Buffer, Buffer>> => ({
    topics: options.topics,
    mode: 'manual',
    offsets: await Promise.all(
      starts
        .filter((p) => wanted(p.partition))
        .map(async ({ topic, partition, start }) => ({
          topic,
          partition,
          offset: (await membership.committed(topic, partition)) ?? taken.get(`${topic}:${partition}`) ?? start,
        })),
    ),
    autocommit: false,
    ...fetchOptions,
  });

  return {
    groupProtocol: protocol,
    assignment: () =>
      new Map((consumer.assignments ?? []).map((a) => [a.topic, a.partitions.filter((p) => wanted(p))])),
    owner: membership.owner,
    commit: membership.commit,
    committed: membership.committed,
    rewind() {
      if (groupId !== undefined) rewinding = true;
    },
    async consume(onBatch, signal, hooks) {
      if (options.exitAtEnd && unfinished.size === 0) return;
      let stopping = false;
      // The next offset of each partition this run took from the stream.
      const taken = new Map<string, bigint>();
      let reader: ReturnType<typeof streamReader> | undefined;
      const stop = () => {
        stopping = true;
        reader?.wake();
      };
      signal?.addEventListener('abort', stop, { once: true });
      if (signal?.aborted) stop();
      const control: ConsumeControl = { commit: membership.commit, stop };
      let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
      try {
        const manual: ConsumeOptions<Buffer, Buffer, Buffer, Buffer> = {
          topics: options.topics,
          mode: 'manual',
          offsets: starts
            .filter((p) => wanted(p.partition))
            .map((p) => ({ topic: p.topic, partition: p.partition, offset: p.start })),
          autocommit: false,
          ...fetchOptions,
        };
        if (groupId === undefined) {
          // No group: this consumer is given the partitions itself, and the stream fetches them.
          consumer.topics.trackAll(...options.topics);
          consumer.assignments = [...partitions].map(([topic, ids]) => ({ topic, partitions: ids.filter(wanted) }));
          stream = new StreamClass(consumer, manual);
        } else {
          const joining = consumer.consume(
            options.start.from === 'committed'
              ? {
                  topics: options.topics,
                  mode: 'committed',
                  fallbackMode: options.start.fallback,
                  autocommit: false,
                  ...fetchOptions,
                }
              : manual,
          );
          // Joining waits for the group to rebalance (up to the rebalance time-out): a stop ends it.
          const joined = await abortable(joining, signal).catch((error: unknown) => {
            if (signal?.aborted) return undefined;
            throw error;
          });
          if (!joined) {
            joinAbandoned = true;
            joining.then((late) => late.close()).catch(() => undefined);
            return;
          }
          stream = joined;
        }
        reader = streamReader(stream);
        membership.onFailure(stop);
        while (!stopping) {
          if (rewinding) {
            rewinding = false;
            // The new stream first, so that the topics stay tracked and the member stays in the group.
            const previous = stream;
            stream = await consumer.consume(await fromCommits(taken));
            reader = streamReader(stream);
            await previous.close().catch(() => undefined);
          }
          const messages = await reader.next();
          if (!messages.length) break;
          const batches = new Map<string, FeedBatch>();
          for (const m of messages) {
            if (!wanted(m.partition)) continue;
            const key = `${m.topic}:${m.partition}`;
            taken.set(key, m.offset + 1n);
            // With exitAtEnd, records beyond the end the partition had at the start are not ours.
            if (options.exitAtEnd && m.offset >= (ends.get(key) ?? 0n)) continue;
            let batch = batches.get(key);
            if (!batch) batches.set(key, (batch = { topic: m.topic, partition: m.partition, records: [] }));
            batch.records.push(toRecord(m));
          }
          for (const [key, batch] of batches) {
            if (stopping) break;
            await onBatch(batch, control);
            const end = ends.get(key);
            if (options.exitAtEnd && end !== undefined && BigInt(batch.records.at(-1)!.offset) + 1n >= end) {
              unfinished.delete(key);
              if (unfinished.size === 0) stop();
            }
          }
        }
        if (membership.failure()) throw membership.failure();
        await hooks?.beforeStop?.();
      } catch (error) {
        throw groupId === undefined
          ? translateKafkaError(explain(error), settings)
          : (protocolRefused(error, protocol) ??
              (await explainGroupFailure(explain(error), settings, groupId, options.topics[0])));
      } finally {
        signal?.removeEventListener('abort', stop);
        await stream?.close().catch(() => undefined);
      }
    },
    async close() {
      membership.close();
      const closing = consumer.close(true).catch(() => undefined);
      // Leaving waits behind the join under way on the coordinator's connection: not for that.
      if (!joinAbandoned) await closing;
    },
  };
}
