import type { GroupConnection } from './connection.js';
import { withLag } from './lag.js';
import { groupNotFound, type GroupDescription } from './types.js';

/**
 * One group, partition by partition. A group that exists with no committed offsets (a consumer
 * joined and left without committing) is shown, as Kafka's ConsumerGroupCommand does: only a
 * Dead group (what the coordinator answers for an unknown one) without offsets does not exist.
 */
export async function describeGroup(client: GroupConnection, group: string): Promise<GroupDescription> {
  const raw = await client.describeOne(group);
  return client.guarded(
    async () => {
      const committed = (await client.committedOffsets([group])).get(group) ?? new Map<string, number>();
      if (raw.state === 'Dead' && raw.members.length === 0 && committed.size === 0) throw groupNotFound(group);
      const [description] = await withLag(client, [{ raw, committed }]);
      return description;
    },
    group,
    'DESCRIBE',
  );
}

/** Current state and members of a group, for the "refused while active" checks. */
export async function groupState(client: GroupConnection, group: string): Promise<{ state: string; members: number }> {
  const raw = await client.describeOne(group);
  return { state: raw.state, members: raw.members.length };
}
