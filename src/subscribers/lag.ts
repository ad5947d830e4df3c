import type { ConnectionSettings } from '../config/connection.js';
import { withGroups, type PartitionLag as GroupPartition } from '../kafka/groups.js';
import type { GroupLag } from './overview.js';

/** A partition of one group, as `kfeed group describe` measures it. */
export type PartitionLag = Pick<
  GroupPartition,
  'topic' | 'partition' | 'committedOffset' | 'logEndOffset' | 'lag' | 'lagSeconds'
> & {
  group: string;
};

/**
 * Lag of every group whose id starts with one of `prefixes`: one group listing for the whole
 * cluster (offsets and record times fetched in bulk by the group module), then a filter. A
 * group that has committed nothing has no lag (null), not a lag of 0.
 */
export async function groupLagByPrefix(settings: ConnectionSettings, prefixes: string[]): Promise<GroupLag[]> {
  if (!prefixes.length) return [];
  const groups = await withGroups(settings, (client) => client.list());
  return groups
    .filter((g) => prefixes.some((p) => g.group.startsWith(p)))
    .map((g) => ({
      group: g.group,
      state: g.state,
      members: g.members,
      lag: g.committedPartitions ? g.lag : null,
      lagSeconds: g.committedPartitions ? g.lagSeconds : null,
    }));
}

/** Per-partition lag of the given groups, as `kfeed group describe` shows it. */
export async function partitionLag(settings: ConnectionSettings, groups: string[]): Promise<PartitionLag[]> {
  if (!groups.length) return [];
  return withGroups(settings, async (client) => {
    const rows: PartitionLag[] = [];
    for (const group of groups) {
      const description = await client.describe(group);
      for (const p of description.partitions) {
        const { topic, partition, committedOffset, logEndOffset, lag, lagSeconds } = p;
        rows.push({ group, topic, partition, committedOffset, logEndOffset, lag, lagSeconds });
      }
    }
    return rows;
  });
}
