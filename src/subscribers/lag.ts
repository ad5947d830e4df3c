import type { Kafka } from 'kafkajs';
import type { GroupLag } from './lifecycle.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  committedOffset: string | null;
  logEndOffset: string;
  lag: number;
  lagSeconds: number;
}

/** Lag of every group whose id starts with one of `prefixes`, summed per group. */
export async function groupLagByPrefix(kafka: Kafka, prefixes: string[]): Promise<GroupLag[]> {
  if (!prefixes.length) return [];
  const admin = kafka.admin();
  await admin.connect();
  let groups: string[];
  try {
    groups = (await admin.listGroups()).groups.map((g) => g.groupId).filter((id) => prefixes.some((p) => id.startsWith(p)));
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const partitions = await partitionLag(kafka, groups);
  return groups.map((group) => {
    const mine = partitions.filter((p) => p.group === group);
    return { group, lag: mine.reduce((sum, p) => sum + p.lag, 0), lagSeconds: Math.max(0, ...mine.map((p) => p.lagSeconds)) };
  });
}

/** Per-partition lag of the given groups. */
export async function partitionLag(kafka: Kafka, groups: string[]): Promise<PartitionLag[]> {
  if (!groups.length) return [];
  const admin = kafka.admin();
  await admin.connect();
  try {
    const rows: PartitionLag[] = [];
    const ends = new Map<string, Map<number, string>>();
    for (const group of groups) {
      for (const { topic, partitions } of await admin.fetchOffsets({ groupId: group })) {
        if (!ends.has(topic)) ends.set(topic, new Map((await admin.fetchTopicOffsets(topic)).map((o) => [o.partition, o.high])));
        for (const { partition, offset } of partitions) {
          const end = ends.get(topic)!.get(partition) ?? '0';
          const committed = offset === '-1' ? null : offset;
          const lag = committed === null ? 0 : Math.max(0, Number(BigInt(end) - BigInt(committed)));
          rows.push({ group, topic, partition, committedOffset: committed, logEndOffset: end, lag, lagSeconds: 0 });
        }
      }
    }
    return rows;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}
