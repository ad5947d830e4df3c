import { KfeedError } from '../../errors.js';
import { EARLIEST, LATEST } from '../topics.js';
import { planReset, type ResetMode, type ResetRow } from '../reset-plan.js';
import type { GroupConnection } from './connection.js';
import { describeGroup, groupState } from './describe.js';
import { activeGroupError, tpKey } from './types.js';

/** Partitions of a topic as the cluster knows them; a missing topic is one line. */
export async function topicPartitions(client: GroupConnection, topic: string): Promise<number[]> {
  const count = (await client.partitionsOf([topic])).get(topic);
  if (count === undefined) {
    throw new KfeedError('notFound', `topic ${topic} does not exist (or this client may not describe it)`, {
      hint: 'list topics with `kfeed topic list`',
    });
  }
  return [...Array(count).keys()];
}

/**
 * Commits offsets for a group without members (OffsetCommit with no member and generation -1,
 * as Kafka's tools do). A coordinator that has just moved, or is still loading its groups,
 * is found again and asked again, for a bounded time.
 */
export async function commitOffsets(
  client: GroupConnection,
  group: string,
  offsets: Array<{ topic: string; partition: number; offset: number }>,
): Promise<void> {
  const topics = new Map<string, Array<{ partition: number; offset: bigint }>>();
  for (const o of offsets)
    topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: BigInt(o.offset) }]);
  await client.guarded(
    () =>
      client.admin.alterConsumerGroupOffsets({
        groupId: group,
        topics: [...topics].map(([name, partitionOffsets]) => ({ name, partitionOffsets })),
      }),
    group,
    'READ',
  );
}

export interface ResetInput {
  group: string;
  topic: string;
  /** Only these partitions (default: all of the topic). */
  partitions?: number[];
  mode: ResetMode;
  execute: boolean;
}

export interface ResetResult {
  group: string;
  topic: string;
  mode: ResetMode;
  executed: boolean;
  partitions: ResetRow[];
}

/** Plans (and with `execute`, commits) a reset; refused while the group has members. */
export async function resetOffsets(client: GroupConnection, input: ResetInput): Promise<ResetResult> {
  const all = await topicPartitions(client, input.topic);
  const chosen = input.partitions ?? all;
  const unknown = chosen.filter((p) => !all.includes(p));
  if (unknown.length) {
    throw new KfeedError('usage', `topic ${input.topic} has no partition ${unknown.join(', ')}`, {
      hint: `its partitions are 0 to ${all.length - 1}`,
    });
  }
  const { state, members } = await groupState(client, input.group);
  if (members > 0) throw activeGroupError(input.group, 'reset', members);
  const tps = chosen.map((partition) => ({ topic: input.topic, partition }));
  const [low, high, byTime, committed] = await Promise.all([
    client.offsetsAt(tps, EARLIEST),
    client.offsetsAt(tps, LATEST),
    input.mode.to === 'time'
      ? client.offsetsAt(tps, BigInt(input.mode.timestamp))
      : Promise.resolve(new Map<string, number>()),
    state === 'Dead'
      ? Promise.resolve(null)
      : describeGroup(client, input.group).then(
          (d) => d,
          (e) => (e instanceof KfeedError && e.kind === 'notFound' ? null : Promise.reject(e)),
        ),
  ]);
  const current = new Map((committed?.partitions ?? []).map((p) => [tpKey(p.topic, p.partition), p.committedOffset]));
  const rows = planReset(
    input.mode,
    tps.map(({ topic, partition }) => {
      const key = tpKey(topic, partition);
      return {
        topic,
        partition,
        current: current.get(key) ?? null,
        low: low.get(key) ?? 0,
        high: high.get(key) ?? 0,
        byTime: byTime.get(key),
      };
    }),
  );
  if (input.execute)
    await commitOffsets(
      client,
      input.group,
      rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })),
    );
  return { group: input.group, topic: input.topic, mode: input.mode, executed: input.execute, partitions: rows };
}
