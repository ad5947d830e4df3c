import { partitionLag, totalLag } from '../lag.js';
import { LATEST } from '../topics.js';
import type { GroupConnection } from './connection.js';
import { tpKey, type GroupDescription, type GroupMember, type PartitionLag, type RawGroup } from './types.js';

/**
 * Log ends, first unread timestamps and lags for several groups, asked all at once: one
 * ListOffsets per leader for every partition any group has, then Fetch rounds for the records
 * the groups read next. Lag is the log end minus the committed offset, as Kafka's
 * ConsumerGroupCommand computes it.
 */
export async function withLag(
  client: GroupConnection,
  groups: Array<{ raw: RawGroup; committed: Map<string, number> }>,
): Promise<GroupDescription[]> {
  const shaped = groups.map(({ raw, committed }) => {
    const owner = new Map<string, GroupMember>();
    for (const member of raw.members)
      for (const { topic, partitions } of member.assignment)
        for (const p of partitions) owner.set(tpKey(topic, p), member);
    const keys = new Set([...committed.keys(), ...owner.keys()]);
    const partitions = [...keys].map((key) => {
      const [topic, partition] = key.split('\u0000');
      return { topic, partition: Number(partition), committed: committed.get(key) ?? null, member: owner.get(key) };
    });
    return { raw, partitions };
  });
  const everyPartition = shaped.flatMap((g) => g.partitions);
  const unique = [...new Map(everyPartition.map((p) => [tpKey(p.topic, p.partition), p])).values()];
  const ends = await client.offsetsAt(unique, LATEST);
  // The record the group reads next, where it has not caught up: its timestamp is the time lag.
  const behind = new Map<string, { topic: string; partition: number; offset: number }>();
  for (const p of everyPartition) {
    const end = ends.get(tpKey(p.topic, p.partition));
    if (p.committed === null || end === undefined || p.committed >= end) continue;
    behind.set(`${tpKey(p.topic, p.partition)}\u0000${p.committed}`, {
      topic: p.topic,
      partition: p.partition,
      offset: p.committed,
    });
  }
  const timestamps = await timestampsAtMany(client, [...behind.values()]);
  const now = Date.now();
  return shaped.map(({ raw, partitions }) => {
    const rows: PartitionLag[] = partitions
      .map((p) => {
        const end = ends.get(tpKey(p.topic, p.partition));
        const firstUnreadTimestamp = timestamps.get(`${tpKey(p.topic, p.partition)}\u0000${p.committed}`);
        const { lag, lagSeconds } = partitionLag({ committed: p.committed, end, firstUnreadTimestamp, now });
        return {
          topic: p.topic,
          partition: p.partition,
          committedOffset: p.committed,
          logEndOffset: end ?? 0,
          lag,
          lagSeconds,
          memberId: p.member?.memberId ?? null,
          clientId: p.member?.clientId ?? null,
          host: p.member?.host ?? null,
        };
      })
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
    return {
      ...raw,
      partitions: rows,
      ...totalLag(rows),
      committedPartitions: rows.filter((r) => r.committedOffset !== null).length,
      measuredAt: new Date(now).toISOString(),
    };
  });
}

/** Several groups may wait at different offsets of one partition: one Fetch round per distinct offset depth. */
async function timestampsAtMany(
  client: GroupConnection,
  positions: Array<{ topic: string; partition: number; offset: number }>,
): Promise<Map<string, number>> {
  const result = new Map<string, number>();
  let rest = positions;
  while (rest.length) {
    const seen = new Set<string>();
    const round: typeof positions = [];
    const later: typeof positions = [];
    for (const p of rest) {
      const key = tpKey(p.topic, p.partition);
      if (seen.has(key)) later.push(p);
      else {
        seen.add(key);
        round.push(p);
      }
    }
    const found = await client.timestampsAt(round);
    for (const p of round) {
      const ts = found.get(tpKey(p.topic, p.partition));
      if (ts !== undefined) result.set(`${tpKey(p.topic, p.partition)}\u0000${p.offset}`, ts);
    }
    rest = later;
  }
  return result;
}
