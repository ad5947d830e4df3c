import type { Admin } from '@platformatic/kafka';
import type { ConnectionSettings } from '../../config/connection.js';
import { KfeedError } from '../../errors.js';
import { poll } from '../../wait.js';
import { closeQuietly, createAdmin, reach, watchSocketErrors } from '../client.js';
import { send, speaks } from '../engine-api.js';
import { causes, groupDeniedError, hasKafkaError, translateKafkaError } from '../errors.js';
import { GrouplessReader, positionKey } from '../read.js';
import { tpKey, type GroupMember, type RawGroup } from './types.js';

/** Bytes asked per partition when reading the first unread record (one batch fits in most). */
const FIRST_RECORD_BYTES = 64 * 1024;
/** The second try for partitions whose first batch did not come back in the first. */
const LARGE_RECORD_BYTES = 8 * 1024 * 1024;
/** ConsumerGroupDescribe's API key (KIP-848, Kafka 3.7+ brokers). */
const CONSUMER_GROUP_DESCRIBE = 69;
/** FindCoordinator's key type of a consumer group. */
const GROUP_KEY = 0;

/** Answers that mean "ask again shortly": no coordinator yet, or it is still loading its groups. */
function coordinatorMoving(error: unknown): boolean {
  return hasKafkaError(
    error,
    'COORDINATOR_NOT_AVAILABLE',
    'NOT_COORDINATOR',
    'COORDINATOR_LOAD_IN_PROGRESS',
    'REBALANCE_IN_PROGRESS',
  );
}

/**
 * A connection to the cluster for group questions, on the engine's admin client: list and
 * describe (DescribeGroups for classic groups, ConsumerGroupDescribe for KIP-848 ones), OffsetFetch
 * for many groups per request, ListOffsets per partition leader, and Fetch without a group for
 * the time lag. Always `close()` it.
 */
export class GroupConnection {
  private reader?: GrouplessReader;

  protected constructor(
    readonly settings: ConnectionSettings,
    readonly admin: Admin,
    private readonly explain: (error: unknown) => unknown,
    private readonly signal?: AbortSignal,
  ) {}

  protected static async connect(
    settings: ConnectionSettings,
    signal?: AbortSignal,
  ): Promise<[ConnectionSettings, Admin, (error: unknown) => unknown, AbortSignal | undefined]> {
    await reach(settings);
    const admin = await createAdmin(settings, { clientId: 'kfeed-groups' });
    return [settings, admin, watchSocketErrors(admin), signal];
  }

  async close(): Promise<void> {
    await this.reader?.close();
    await closeQuietly(this.admin);
  }

  /**
   * Runs `work`, turning what the engine throws into one KfeedError naming the group when it is
   * about one. While the group's coordinator is being elected or is loading (a new cluster's
   * first group, a moved partition of __consumer_offsets), it tries again for up to 30 s.
   */
  async guarded<T>(work: () => Promise<T>, group?: string, operation?: 'READ' | 'DESCRIBE' | 'DELETE'): Promise<T> {
    const answer = await poll(
      async () => {
        try {
          return { value: await work() };
        } catch (error) {
          if (error instanceof KfeedError) throw error;
          if (group && hasKafkaError(error, 'GROUP_AUTHORIZATION_FAILED'))
            throw groupDeniedError(group, this.settings, { operation, cause: error });
          if (coordinatorMoving(error)) return undefined;
          throw translateKafkaError(this.explain(error), this.settings);
        }
      },
      {
        what: group ? `the coordinator of group ${group}` : 'the group coordinators',
        timeoutMs: 30_000,
        intervalMs: 300,
        signal: this.signal,
        onTimeout: (last) => translateKafkaError(this.explain(last), this.settings),
      },
    );
    return answer.value;
  }

  /** The node id of the group's coordinator (a refusal names the ACL the client lacks). */
  async coordinator(group: string, operation: 'READ' | 'DESCRIBE' | 'DELETE' = 'DESCRIBE'): Promise<number> {
    return this.guarded(
      async () => (await this.admin.findCoordinator({ keyType: GROUP_KEY, keys: [group] }))[0].nodeId,
      group,
      operation,
    );
  }

  /** Classic groups through DescribeGroups (the engine decodes each member's assignment). */
  async describeClassic(groups: string[]): Promise<RawGroup[]> {
    if (groups.length === 0) return [];
    const described = await this.admin.describeGroups({ groups });
    return [...described.values()].map((g) => ({
      group: g.id,
      type: 'classic' as const,
      state: g.state,
      protocolType: g.protocolType,
      protocol: g.protocol,
      members: [...g.members.values()].map((m) => ({
        memberId: m.id,
        clientId: m.clientId,
        host: m.clientHost,
        assignment:
          g.protocolType === 'consumer'
            ? [...(m.assignments?.values() ?? [])].map((a) => ({
                topic: a.topic,
                partitions: [...a.partitions].sort((x, y) => x - y),
              }))
            : [],
      })),
    }));
  }

  /**
   * KIP-848 consumer groups (Kafka 4) through ConsumerGroupDescribe, sent to each group's
   * coordinator: DescribeGroups answers them only with "not a classic group".
   */
  async describeConsumer(groups: string[]): Promise<RawGroup[]> {
    if (groups.length === 0) return [];
    const { consumerGroupDescribeV0 } = await import('@platformatic/kafka');
    const coordinators = await this.admin.findCoordinator({ keyType: GROUP_KEY, keys: groups });
    const byNode = new Map<number, string[]>();
    for (const c of coordinators) byNode.set(c.nodeId, [...(byNode.get(c.nodeId) ?? []), c.key]);
    const answers = await Promise.all(
      [...byNode].map(([nodeId, ids]) => send(this.admin, consumerGroupDescribeV0.api, nodeId, ids, false)),
    );
    return answers
      .flatMap((a) => a.groups)
      .map((g) => ({
        group: g.groupId,
        type: 'consumer' as const,
        state: g.groupState,
        protocolType: 'consumer',
        protocol: g.assignorName,
        members: g.members.map((m): GroupMember => ({
          memberId: m.memberId,
          clientId: m.clientId,
          host: m.clientHost,
          assignment: m.assignment.topicPartitions.map((t) => ({
            topic: t.topicName,
            partitions: [...t.partitions].sort((x, y) => x - y),
          })),
        })),
      }));
  }

  /**
   * One group of either kind. Brokers that speak ConsumerGroupDescribe (Kafka 4) are asked that
   * first: it answers GROUP_ID_NOT_FOUND for a classic group (or none), which DescribeGroups then
   * describes ("Dead" when there is no such group). DescribeGroups alone would describe an empty
   * KIP-848 group as a classic one without a protocol.
   */
  async describeOne(group: string): Promise<RawGroup> {
    const consumerGroups = await speaks(this.admin, CONSUMER_GROUP_DESCRIBE, 0);
    return this.guarded(
      async () => {
        if (consumerGroups) {
          try {
            return (await this.describeConsumer([group]))[0];
          } catch (error) {
            // Refused for the group's sake (any Kafka error but an ACL): a classic group, or a
            // 3.9 broker that lists the request without serving it.
            if (hasKafkaError(error, 'GROUP_AUTHORIZATION_FAILED') || !causes(error).some((e) => e.apiId)) throw error;
          }
        }
        return (await this.describeClassic([group]))[0];
      },
      group,
      'DESCRIBE',
    );
  }

  /** topic/partition -> committed offset of every partition each group committed (OffsetFetch, batched). */
  async committedOffsets(groups: string[]): Promise<Map<string, Map<string, number>>> {
    const result = new Map<string, Map<string, number>>(groups.map((g) => [g, new Map<string, number>()]));
    if (groups.length === 0) return result;
    for (const answer of await this.admin.listConsumerGroupOffsets({ groups })) {
      const committed = result.get(answer.groupId) ?? new Map<string, number>();
      for (const { name, partitions } of answer.topics)
        for (const p of partitions)
          if (p.committedOffset >= 0n) committed.set(tpKey(name, p.partitionIndex), Number(p.committedOffset));
      result.set(answer.groupId, committed);
    }
    return result;
  }

  /** Partitions of each existing topic of `topics` (a topic deleted since a group committed to it is left out). */
  async partitionsOf(topics: string[]): Promise<Map<string, number>> {
    const existing = new Set(await this.admin.listTopics({ includeInternals: true }));
    const known = topics.filter((t) => existing.has(t));
    const counts = new Map<string, number>();
    if (known.length === 0) return counts;
    const metadata = await this.admin.metadata({ topics: known, forceUpdate: true });
    for (const [name, t] of metadata.topics) counts.set(name, t.partitionsCount);
    return counts;
  }

  /** ListOffsets per partition leader: topic/partition -> offset at `timestamp` (-1 end, -2 start). */
  async offsetsAt(
    partitions: Array<{ topic: string; partition: number }>,
    timestamp: bigint,
  ): Promise<Map<string, number>> {
    const counts = await this.partitionsOf([...new Set(partitions.map((p) => p.topic))]);
    const byTopic = new Map<string, number[]>();
    for (const { topic, partition } of partitions)
      if (partition < (counts.get(topic) ?? 0)) byTopic.set(topic, [...(byTopic.get(topic) ?? []), partition]);
    const offsets = new Map<string, number>();
    if (byTopic.size === 0) return offsets;
    const answered = await this.admin.listOffsets({
      topics: [...byTopic].map(([name, ids]) => ({
        name,
        partitions: [...new Set(ids)].map((partitionIndex) => ({ partitionIndex, timestamp })),
      })),
    });
    for (const t of answered)
      for (const p of t.partitions) offsets.set(tpKey(t.name, p.partitionIndex), Number(p.offset));
    return offsets;
  }

  /**
   * The timestamp (ms) of the first record at or after each position, one Fetch per leader
   * for all of them, without a consumer group. Partitions whose first batch did not come back
   * are asked again with room for a large batch; a topic this client may not read stays unknown.
   */
  async timestampsAt(
    positions: Array<{ topic: string; partition: number; offset: number }>,
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    let pending = positions;
    for (const bytes of [FIRST_RECORD_BYTES, LARGE_RECORD_BYTES]) {
      if (pending.length === 0) break;
      this.reader ??= await GrouplessReader.open(this.settings);
      let records;
      try {
        ({ records } = await this.reader.fetch(
          pending.map((p) => ({ topic: p.topic, partition: p.partition, offset: BigInt(p.offset) })),
          bytes,
          this.signal,
        ));
      } catch (error) {
        if (error instanceof KfeedError && error.kind !== 'denied' && error.kind !== 'notFound') throw error;
        // Not allowed to READ a topic (or it went away): its time lag stays unknown.
        return found;
      }
      for (const record of records) {
        const key = positionKey(record.topic, record.partition);
        if (!found.has(key)) found.set(key, Number(record.timestamp));
      }
      pending = pending.filter((p) => !found.has(positionKey(p.topic, p.partition)));
    }
    return found;
  }
}
