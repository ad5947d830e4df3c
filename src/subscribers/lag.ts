import type { ConnectionSettings } from '../config/connection.js';
import { withGroups } from '../kafka/groups.js';
import type { GroupLag } from './lifecycle.js';

export interface PartitionLag {
  group: string;
  topic: string;
  partition: number;
  committedOffset: number | null;
  logEndOffset: number;
  lag: number | null;
  lagSeconds: number | null;
}

/**
 * Lag of every group whose id starts with one of `prefixes`: one group listing for the whole
 * cluster (offsets and record times fetched in bulk by the group module), then a filter.
 */
export async function groupLagByPrefix(settings: ConnectionSettings, prefixes: string[]): Promise<GroupLag[]> {
  if (!prefixes.length) return [];
  const groups = await withGroups(settings, (client) => client.list());
  return groups
    .filter((g) => prefixes.some((p) => g.group.startsWith(p)))
    .map((g) => ({ group: g.group, lag: g.lag, lagSeconds: g.lagSeconds }));
}

/** Per-partition lag of the given groups, as `kfeed group describe` shows it. */
export async function partitionLag(settings: ConnectionSettings, groups: string[]): Promise<PartitionLag[]> {
  if (!groups.length) return [];
  return withGroups(settings, async (client) => {
    const rows: PartitionLag[] = [];
    for (const group of groups) {
      const description = await client.describe(group);
      for (const p of description.partitions) {
        rows.push({
          group,
          topic: p.topic,
          partition: p.partition,
          committedOffset: p.committedOffset,
          logEndOffset: p.logEndOffset,
          lag: p.lag,
          lagSeconds: p.lagSeconds,
        });
      }
    }
    return rows;
  });
}
