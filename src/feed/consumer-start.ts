import type { Consumer } from '@platformatic/kafka';
import { KfeedError } from '../errors.js';

/** Where to start reading when the group has no committed offset (or when told to ignore it). */
export type StartPosition =
  | { from: 'committed'; fallback: 'earliest' | 'latest' }
  | { from: 'offset'; offset: string }
  | { from: 'time'; timestamp: number };

export const GROUP_PROTOCOLS = ['classic', 'consumer'] as const;
/** classic: JoinGroup/SyncGroup with client-side assignment; consumer: KIP-848, the broker assigns. */
export type GroupProtocol = (typeof GROUP_PROTOCOLS)[number];

/** Where each partition is read from (`start`), and its end when reading began. */
export interface PartitionStart {
  topic: string;
  partition: number;
  start: bigint;
  end: bigint;
}

type AnyConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/**
 * The group protocol to join with: asked for, or KIP-848's where it is generally available
 * (Kafka 4.0 and later serve ConsumerGroupHeartbeat v1; 3.7-3.9 list v0 for an early-access
 * protocol that is off unless the broker enables it), else the classic one.
 */
export async function chooseGroupProtocol(probe: AnyConsumer, asked?: GroupProtocol): Promise<GroupProtocol> {
  const apis = await probe.listApis();
  const heartbeat = apis.find((api) => api.name === 'ConsumerGroupHeartbeat');
  if (asked === 'consumer' && !heartbeat) {
    throw new KfeedError('usage', 'the brokers do not serve the consumer group protocol (KIP-848)', {
      hint: 'Kafka 4.0 or later serves it; use --group-protocol classic',
    });
  }
  return asked ?? (heartbeat && heartbeat.maxVersion >= 1 ? 'consumer' : 'classic');
}

/** A 3.x broker that lists KIP-848's heartbeat but has the protocol off answers UNSUPPORTED_VERSION. */
export function protocolRefused(error: unknown, protocol: GroupProtocol | null): KfeedError | undefined {
  if (protocol !== 'consumer' || !/UNSUPPORTED_VERSION/.test(errorText(error))) return undefined;
  return new KfeedError('usage', 'the brokers refused the consumer group protocol (KIP-848): it is not enabled there', {
    hint: 'use --group-protocol classic (Kafka 4.0 and later serve the consumer protocol)',
    cause: error,
  });
}

const isUnknownTopic = (error: unknown): boolean =>
  /UNKNOWN_TOPIC|unknown topic|does not exist/i.test(errorText(error));

/** Every message and broker error name in an engine error and what it wraps, as one text. */
export function errorText(error: unknown): string {
  const parts: string[] = [];
  const walk = (e: unknown, depth: number) => {
    if (!e || typeof e !== 'object' || depth > 4) return;
    const { message, apiId, errors, cause } = e as {
      message?: string;
      apiId?: string;
      errors?: unknown[];
      cause?: unknown;
    };
    parts.push(String(message ?? ''), String(apiId ?? ''));
    for (const inner of errors ?? []) walk(inner, depth + 1);
    walk(cause, depth + 1);
  };
  walk(error, 0);
  return parts.join(' ');
}

/** The partitions of each topic; a missing topic is named, not reported as a connection failure. */
export async function topicPartitions(probe: AnyConsumer, topics: string[]): Promise<Map<string, number[]>> {
  const missing: string[] = [];
  const found = new Map<string, number[]>();
  for (const topic of topics) {
    try {
      const metadata = await probe.metadata({ topics: [topic], autocreateTopics: false });
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0;
      found.set(
        topic,
        Array.from({ length: count }, (_, i) => i),
      );
    } catch (error) {
      if (!isUnknownTopic(error)) throw error;
      missing.push(topic);
    }
  }
  if (missing.length) {
    throw new KfeedError(
      'notFound',
      missing.length === 1 ? `topic ${missing[0]} does not exist` : `topics ${missing.join(', ')} do not exist`,
      { hint: 'create it with `kfeed create-topic`, or list topics with `kfeed list-topics`' },
    );
  }
  return found;
}

/**
 * The offset each partition will be read from, for seeking and for knowing where the end is:
 * the group's committed offset (else the fallback), an explicit offset clamped into the
 * partition's range, or the first record at or after a time.
 */
export async function startOffsets(
  probe: AnyConsumer,
  start: StartPosition,
  partitions: Map<string, number[]>,
  groupCommits: () => Promise<Map<string, bigint[]>>,
): Promise<PartitionStart[]> {
  const topics = [...partitions.keys()];
  const [lows, highs] = await Promise.all([
    probe.listOffsets({ topics, timestamp: -2n }),
    probe.listOffsets({ topics, timestamp: -1n }),
  ]);
  const byTime =
    start.from === 'time' ? await probe.listOffsets({ topics, timestamp: BigInt(start.timestamp) }) : undefined;
  const committed = start.from === 'committed' ? await groupCommits() : undefined;
  const out: PartitionStart[] = [];
  for (const [topic, ids] of partitions) {
    for (const partition of ids) {
      const low = lows.get(topic)?.[partition] ?? 0n;
      const high = highs.get(topic)?.[partition] ?? 0n;
      let at: bigint;
      if (start.from === 'offset') {
        at = BigInt(start.offset);
      } else if (start.from === 'time') {
        // No record at or after the time: Kafka answers -1, i.e. the end.
        const found = byTime?.get(topic)?.[partition] ?? -1n;
        at = found >= 0n ? found : high;
      } else {
        const c = committed?.get(topic)?.[partition] ?? -1n;
        at = c >= 0n ? c : start.fallback === 'earliest' ? low : high;
      }
      if (at < low) at = low;
      if (at > high && start.from !== 'committed') at = high;
      out.push({ topic, partition, start: at, end: high });
    }
  }
  return out;
}
