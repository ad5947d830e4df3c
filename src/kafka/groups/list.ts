import type { GroupConnection } from './connection.js';
import { withLag } from './lag.js';
import type { GroupSummary } from './types.js';

/**
 * Every group this client may describe (Kafka leaves out the others), with lag: classic groups
 * and, on Kafka 4, KIP-848 consumer groups, each described with its own request.
 */
export async function listGroups(client: GroupConnection): Promise<GroupSummary[]> {
  return client.guarded(async () => {
    // Without a types filter the engine's ListGroups returns classic groups only.
    const listed = [...(await client.admin.listGroups({ types: ['classic', 'consumer'] })).values()];
    const consumer = listed.filter((g) => g.groupType === 'consumer').map((g) => g.id);
    const classic = listed.filter((g) => !g.groupType || g.groupType === 'classic').map((g) => g.id);
    const [classicRaw, consumerRaw] = await Promise.all([
      client.describeClassic(classic),
      client.describeConsumer(consumer),
    ]);
    // A group that went away between the listing and its description is "Dead": not listed.
    const described = [...classicRaw, ...consumerRaw].filter((g) => g.state !== 'Dead');
    const committed = await client.committedOffsets(described.map((g) => g.group));
    const descriptions = await withLag(
      client,
      described.map((raw) => ({ raw, committed: committed.get(raw.group) ?? new Map<string, number>() })),
    );
    return descriptions
      .map((d) => ({
        group: d.group,
        type: d.type,
        state: d.state,
        protocolType: d.protocolType,
        protocol: d.protocol,
        members: d.members.length,
        lag: d.lag,
        lagSeconds: d.lagSeconds,
        committedPartitions: d.committedPartitions,
      }))
      .sort((a, b) => a.group.localeCompare(b.group));
  });
}
