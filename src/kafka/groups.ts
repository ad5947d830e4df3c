import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { poll } from '../wait.js';
import { createKafka } from './client.js';
import { groupDeniedError, isCoordinatorNotFound, isGroupDenied, translateKafkaError } from './errors.js';
import {
  clusterOf,
  decodeMemberAssignment,
  kafkajsCodec,
  type FetchedPartition,
  type KafkajsBroker,
  type KafkajsCluster,
  type RawGroupDescription,
} from './kafkajs-internals.js';
import { partitionLag, totalLag } from './lag.js';
import { planReset, type ResetMode, type ResetRow } from './reset-plan.js';

export { planReset, type ResetMode, type ResetRow } from './reset-plan.js';

/**
 * Consumer groups: list, describe with lag in messages and in seconds, reset, delete.
 * Every question is asked in batches: one ListGroups / DescribeGroups per broker, one
 * ListOffsets and one Fetch per partition leader for all partitions at once, OffsetFetch v8 for
 * up to 500 groups per request (kafkajs speaks OffsetFetch up to v4, one group per request).
 */

const READ_UNCOMMITTED = 0;
const LATEST = -1;
const EARLIEST = -2;
/** Bytes asked per partition when reading the first unread record (one batch fits in most). */
const FIRST_RECORD_BYTES = 64 * 1024;
/** The second try for partitions whose first batch was larger than that. */
const LARGE_RECORD_BYTES = 8 * 1024 * 1024;
/** OffsetFetch requests in flight at once, where the broker takes one group per request. */
const OFFSET_FETCH_CONCURRENCY = 64;
/** Groups per OffsetFetch v8 request. */
const OFFSET_FETCH_GROUPS = 500;
const OFFSET_FETCH = 9;

/** kafkajs's name of a Kafka error code (COORDINATOR_LOAD_IN_PROGRESS, ...), for the retry decision. */
function kafkaErrorType(code: number): string {
  return (
    (
      { 14: 'COORDINATOR_LOAD_IN_PROGRESS', 15: 'COORDINATOR_NOT_AVAILABLE', 16: 'NOT_COORDINATOR' } as Record<
        number,
        string
      >
    )[code] ?? `ERROR_${code}`
  );
}

const ERROR = {
  GROUP_AUTHORIZATION_FAILED: 30,
  TOPIC_AUTHORIZATION_FAILED: 29,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
} as const;

export interface GroupMember {
  memberId: string;
  clientId: string;
  host: string;
  assignment: Array<{ topic: string; partitions: number[] }>;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** Null when the group has not committed an offset for an assigned partition. */
  committedOffset: number | null;
  logEndOffset: number;
  /** Messages not yet read; null without a committed offset. */
  lag: number | null;
  /** Seconds from the timestamp of the first unread record to now (0 when caught up); null if unreadable. */
  lagSeconds: number | null;
  memberId: string | null;
  clientId: string | null;
  host: string | null;
}

export interface GroupDescription {
  group: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: GroupMember[];
  partitions: PartitionLag[];
  /** Sum of the partitions' lag (messages). */
  lag: number;
  /** The largest time lag of a partition (seconds); null when none could be read. */
  lagSeconds: number | null;
  /** Partitions with a committed offset: 0 means "no commits" (its lag of 0 is not "caught up"). */
  committedPartitions: number;
  /** When the lag was measured (ISO). */
  measuredAt: string;
}

export interface GroupSummary {
  group: string;
  state: string;
  protocolType: string;
  protocol: string;
  members: number;
  lag: number;
  lagSeconds: number | null;
  /** Partitions with a committed offset: 0 means "no commits". */
  committedPartitions: number;
}

/** Errors that mean "ask again shortly": no coordinator yet, or it is still loading the group. */
function coordinatorMoving(error: unknown): boolean {
  if (isCoordinatorNotFound(error)) return true;
  const type = (error as { type?: string })?.type ?? '';
  return /COORDINATOR|LOAD_IN_PROGRESS/.test(type);
}

/** Answers that mean "ask the coordinator again" (it moved, or is loading its groups). */
const RETRIABLE_COORDINATOR_ERRORS = new Set([
  'NOT_COORDINATOR_FOR_GROUP',
  'COORDINATOR_LOAD_IN_PROGRESS',
  'GROUP_LOAD_IN_PROGRESS',
  'COORDINATOR_NOT_AVAILABLE',
  'GROUP_COORDINATOR_NOT_AVAILABLE',
]);

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** A connection to the cluster for group questions; always `close()` it. */
export class GroupClient {
  private constructor(
    readonly settings: ConnectionSettings,
    private readonly cluster: KafkajsCluster,
    private readonly signal?: AbortSignal,
  ) {}

  /** `signal` (the command's abort signal) ends the waits for a coordinator. */
  static async open(settings: ConnectionSettings, signal?: AbortSignal): Promise<GroupClient> {
    const kafka = await createKafka(settings, { clientId: 'kfeed-groups' });
    const cluster = clusterOf(kafka);
    try {
      await cluster.connect();
      await cluster.refreshMetadata();
    } catch (error) {
      await cluster.disconnect().catch(() => undefined);
      throw translateKafkaError(error, settings);
    }
    return new GroupClient(settings, cluster, signal);
  }

  async close(): Promise<void> {
    await this.cluster.disconnect().catch(() => undefined);
  }

  /**
   * Runs `work`, turning what kafkajs throws into one KfeedError naming the group when it is
   * about one. While the group's coordinator is being elected or is loading (a new cluster's
   * first group, a moved partition of __consumer_offsets), it tries again for up to 30 s.
   */
  private async guarded<T>(
    work: () => Promise<T>,
    group?: string,
    operation?: 'READ' | 'DESCRIBE' | 'DELETE',
  ): Promise<T> {
    const answer = await poll(
      async () => {
        try {
          return { value: await work() };
        } catch (error) {
          if (error instanceof KfeedError) throw error;
          if (group && isGroupDenied(error)) throw groupDeniedError(group, this.settings, { operation, cause: error });
          if (coordinatorMoving(error)) return undefined;
          throw translateKafkaError(error, this.settings);
        }
      },
      {
        what: group ? `the coordinator of group ${group}` : 'the group coordinators',
        timeoutMs: 30_000,
        intervalMs: 300,
        signal: this.signal,
        onTimeout: (last) => translateKafkaError(last, this.settings),
      },
    );
    return answer.value;
  }

  private async brokers(): Promise<KafkajsBroker[]> {
    return Promise.all(
      Object.keys(this.cluster.brokerPool.brokers).map((nodeId) => this.cluster.findBroker({ nodeId })),
    );
  }

  /**
   * The group's coordinator. kafkajs turns every refusal into "Failed to find group
   * coordinator"; then the question is asked again of one broker directly, whose answer
   * carries the reason (GROUP_AUTHORIZATION_FAILED for a client without an ACL on the group).
   */
  async coordinator(group: string, operation: 'READ' | 'DESCRIBE' | 'DELETE' = 'DESCRIBE'): Promise<KafkajsBroker> {
    return this.guarded(
      async () => {
        try {
          return await this.cluster.findGroupCoordinator({ groupId: group });
        } catch (error) {
          if (!isCoordinatorNotFound(error)) throw error;
          const broker = await this.cluster.brokerPool.findConnectedBroker();
          await broker.findGroupCoordinator({ groupId: group, coordinatorType: 0 });
          throw error;
        }
      },
      group,
      operation,
    );
  }

  /** Every group this client may describe (Kafka leaves out the others), with lag. */
  async list(): Promise<GroupSummary[]> {
    return this.guarded(async () => {
      // A broker lists the groups it coordinates, so each is described where it was listed.
      const perBroker = await Promise.all(
        (await this.brokers()).map(async (broker) => {
          const { groups } = await broker.listGroups();
          const ids = groups.map((g) => g.groupId);
          const described = ids.length ? (await broker.describeGroups({ groupIds: ids })).groups : [];
          return described.map((raw) => ({ raw, coordinator: broker }));
        }),
      );
      const all = perBroker.flat().filter(({ raw }) => raw.errorCode === 0);
      const byCoordinator = new Map<KafkajsBroker, string[]>();
      for (const { raw, coordinator } of all)
        byCoordinator.set(coordinator, [...(byCoordinator.get(coordinator) ?? []), raw.groupId]);
      const offsets = new Map<string, Map<string, number>>();
      for (const [coordinator, ids] of byCoordinator) {
        for (const [id, committed] of await this.committedOffsetsOfMany(ids, coordinator)) offsets.set(id, committed);
      }
      const committed = all.map(({ raw }) => offsets.get(raw.groupId) ?? new Map<string, number>());
      const descriptions = await this.withLag(all.map(({ raw }, i) => ({ raw, committed: committed[i] })));
      return descriptions
        .map((d) => ({
          group: d.group,
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

  /**
   * One group, partition by partition. A group that exists with no committed offsets (a
   * consumer joined and left without committing) is shown, as Kafka's ConsumerGroupCommand does:
   * only a Dead group (what the coordinator answers for an unknown one) without offsets does not exist.
   */
  async describe(group: string): Promise<GroupDescription> {
    const coordinator = await this.coordinator(group);
    return this.guarded(
      async () => {
        const raw = await this.describeRaw(group, coordinator);
        const committed = await this.committedOffsets(group, coordinator);
        if (raw.state === 'Dead' && raw.members.length === 0 && committed.size === 0) {
          throw new KfeedError('notFound', `group ${group} does not exist`, {
            hint: 'list groups with `kfeed group list`',
          });
        }
        const [description] = await this.withLag([{ raw, committed }]);
        return description;
      },
      group,
      'DESCRIBE',
    );
  }

  private async describeRaw(group: string, coordinator: KafkajsBroker): Promise<RawGroupDescription> {
    const { groups } = await coordinator.describeGroups({ groupIds: [group] });
    const raw = groups[0];
    if (!raw) throw new KfeedError('internal', `the coordinator did not describe group ${group}`);
    if (raw.errorCode === ERROR.GROUP_AUTHORIZATION_FAILED)
      throw groupDeniedError(group, this.settings, { operation: 'DESCRIBE' });
    return raw;
  }

  /** topic/partition -> committed offset, for every partition the group has committed. */
  private async committedOffsets(group: string, coordinator: KafkajsBroker): Promise<Map<string, number>> {
    // An empty topic list is sent as null: "all topics the group has offsets for".
    const { responses } = await coordinator.offsetFetch({ groupId: group, topics: [] });
    const committed = new Map<string, number>();
    for (const { topic, partitions } of responses) {
      for (const p of partitions)
        if (p.errorCode === 0 && Number(p.offset) >= 0) committed.set(tpKey(topic, p.partition), Number(p.offset));
    }
    return committed;
  }

  /**
   * Committed offsets of many groups coordinated by one broker: OffsetFetch v8 (Kafka 3.0+)
   * names up to OFFSET_FETCH_GROUPS groups per request; older brokers get one request per group.
   */
  private async committedOffsetsOfMany(
    groups: string[],
    coordinator: KafkajsBroker,
  ): Promise<Map<string, Map<string, number>>> {
    const result = new Map<string, Map<string, number>>();
    if ((coordinator.versions?.[OFFSET_FETCH]?.maxVersion ?? 0) < 8) {
      const each = await mapLimit(groups, OFFSET_FETCH_CONCURRENCY, (group) =>
        this.committedOffsets(group, coordinator),
      );
      groups.forEach((group, i) => result.set(group, each[i]));
      return result;
    }
    const { Encoder, Decoder } = kafkajsCodec();
    for (let at = 0; at < groups.length; at += OFFSET_FETCH_GROUPS) {
      const chunk = groups.slice(at, at + OFFSET_FETCH_GROUPS);
      const request = {
        apiKey: OFFSET_FETCH,
        apiVersion: 8,
        apiName: 'OffsetFetch',
        // The leading empty tag buffer belongs to the flexible request header (kafkajs's own trick).
        encode: async () =>
          new Encoder()
            .writeUVarIntBytes()
            .writeUVarIntArray(
              chunk.map((g) => new Encoder().writeUVarIntString(g).writeUVarIntArray(null).writeUVarIntBytes()),
            )
            .writeBoolean(false)
            .writeUVarIntBytes(),
      };
      const response = {
        decode: async (raw: Buffer) => {
          const d = new Decoder(raw);
          d.readTaggedFields(); // flexible response header
          d.readInt32(); // throttle time
          const answered = d.readUVarIntArray((g) => {
            const group = g.readUVarIntString() ?? '';
            const topics = g.readUVarIntArray((t) => {
              const topic = t.readUVarIntString() ?? '';
              const partitions = t.readUVarIntArray((p) => {
                const partition = p.readInt32();
                const offset = Number(p.readInt64());
                p.readInt32(); // leader epoch
                p.readUVarIntString(); // metadata
                const errorCode = p.readInt16();
                p.readTaggedFields();
                return { partition, offset, errorCode };
              });
              t.readTaggedFields();
              return { topic, partitions: partitions ?? [] };
            });
            const errorCode = g.readInt16();
            g.readTaggedFields();
            return { group, topics: topics ?? [], errorCode };
          });
          return { groups: answered ?? [] };
        },
        parse: async (data: unknown) => data,
      };
      const { groups: answered } = (await coordinator.connectionPool.send({ request, response })) as {
        groups: Array<{
          group: string;
          errorCode: number;
          topics: Array<{ topic: string; partitions: Array<{ partition: number; offset: number; errorCode: number }> }>;
        }>;
      };
      for (const g of answered) {
        if (g.errorCode === ERROR.GROUP_AUTHORIZATION_FAILED)
          throw groupDeniedError(g.group, this.settings, { operation: 'DESCRIBE' });
        if (g.errorCode !== 0)
          throw Object.assign(new Error(`OffsetFetch of group ${g.group} failed with error code ${g.errorCode}`), {
            type: kafkaErrorType(g.errorCode),
          });
        const committed = new Map<string, number>();
        for (const { topic, partitions } of g.topics) {
          for (const p of partitions)
            if (p.errorCode === 0 && p.offset >= 0) committed.set(tpKey(topic, p.partition), p.offset);
        }
        result.set(g.group, committed);
      }
    }
    return result;
  }

  /** Leaders of every partition of `topics` (unknown topics left out). */
  private async leaders(topics: string[]): Promise<Map<string, Array<{ partition: number; leader: number }>>> {
    const known = new Map<string, Array<{ partition: number; leader: number }>>();
    if (topics.length === 0) return known;
    await this.cluster.addMultipleTargetTopics(topics).catch(() => undefined);
    for (const topic of topics) {
      try {
        const partitions = this.cluster.findTopicPartitionMetadata(topic);
        if (partitions?.length)
          known.set(
            topic,
            partitions.map((p) => ({ partition: p.partitionId, leader: p.leader })),
          );
      } catch {
        // a topic deleted since the group committed to it: no log end to compare with
      }
    }
    return known;
  }

  /** Per leader, one ListOffsets for all its partitions: topic/partition -> offset at `timestamp`. */
  async offsetsAt(
    partitions: Array<{ topic: string; partition: number }>,
    timestamp: number,
  ): Promise<Map<string, number>> {
    const leaders = await this.leaders([...new Set(partitions.map((p) => p.topic))]);
    const byLeader = new Map<number, Map<string, number[]>>();
    for (const { topic, partition } of partitions) {
      const leader = leaders.get(topic)?.find((p) => p.partition === partition)?.leader;
      if (leader === undefined || leader < 0) continue;
      const topicsOf = byLeader.get(leader) ?? new Map<string, number[]>();
      topicsOf.set(topic, [...(topicsOf.get(topic) ?? []), partition]);
      byLeader.set(leader, topicsOf);
    }
    const offsets = new Map<string, number>();
    await Promise.all(
      [...byLeader].map(async ([nodeId, topicsOf]) => {
        const broker = await this.cluster.findBroker({ nodeId: String(nodeId) });
        const { responses } = await broker.listOffsets({
          isolationLevel: READ_UNCOMMITTED,
          topics: [...topicsOf].map(([topic, ids]) => ({
            topic,
            partitions: ids.map((partition) => ({ partition, timestamp })),
          })),
        });
        for (const { topic, partitions: answered } of responses) {
          for (const p of answered) if (p.errorCode === 0) offsets.set(tpKey(topic, p.partition), Number(p.offset));
        }
      }),
    );
    return offsets;
  }

  /**
   * The timestamp (ms) of the record at each given offset, one Fetch per leader for all of
   * them. Partitions whose first batch did not fit are asked again with room for a large batch.
   */
  private async timestampsAt(
    positions: Array<{ topic: string; partition: number; offset: number }>,
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    let pending = positions;
    for (const bytes of [FIRST_RECORD_BYTES, LARGE_RECORD_BYTES]) {
      if (pending.length === 0) break;
      const leaders = await this.leaders([...new Set(pending.map((p) => p.topic))]);
      const byLeader = new Map<number, typeof pending>();
      for (const position of pending) {
        const leader = leaders.get(position.topic)?.find((p) => p.partition === position.partition)?.leader;
        if (leader === undefined || leader < 0) continue;
        byLeader.set(leader, [...(byLeader.get(leader) ?? []), position]);
      }
      await Promise.all(
        [...byLeader].map(async ([nodeId, wanted]) => {
          const broker = await this.cluster.findBroker({ nodeId: String(nodeId) });
          const topics = new Map<string, Array<{ partition: number; fetchOffset: string; maxBytes: number }>>();
          for (const w of wanted)
            topics.set(w.topic, [
              ...(topics.get(w.topic) ?? []),
              { partition: w.partition, fetchOffset: String(w.offset), maxBytes: bytes },
            ]);
          let responses: Array<{ topicName: string; partitions: FetchedPartition[] }>;
          try {
            ({ responses } = await broker.fetch({
              replicaId: -1,
              isolationLevel: READ_UNCOMMITTED,
              maxWaitTime: 0,
              minBytes: 0,
              maxBytes: Math.min(50 * 1024 * 1024, bytes * wanted.length),
              topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
            }));
          } catch {
            // Not allowed to READ a topic (or it moved): its time lag stays unknown.
            return;
          }
          const offsetOf = new Map(wanted.map((w) => [tpKey(w.topic, w.partition), w.offset]));
          for (const { topicName, partitions } of responses) {
            for (const p of partitions) {
              const at = offsetOf.get(tpKey(topicName, p.partition));
              // A batch can start before the offset asked for: take the first record at or after it.
              const first = p.messages.find((m) => at !== undefined && Number(m.offset) >= at);
              if (first) found.set(tpKey(topicName, p.partition), Number(first.timestamp));
            }
          }
        }),
      );
      pending = pending.filter((p) => !found.has(tpKey(p.topic, p.partition)));
    }
    return found;
  }

  /** Log ends, first unread timestamps and lags for several groups, asked all at once. */
  private async withLag(
    groups: Array<{ raw: RawGroupDescription; committed: Map<string, number> }>,
  ): Promise<GroupDescription[]> {
    const shaped = groups.map(({ raw, committed }) => {
      const members: GroupMember[] = raw.members.map((m) => ({
        memberId: m.memberId,
        clientId: m.clientId,
        host: m.clientHost,
        assignment:
          raw.protocolType === 'consumer'
            ? Object.entries(decodeMemberAssignment(m.memberAssignment)).map(([topic, partitions]) => ({
                topic,
                partitions: [...partitions].sort((a, b) => a - b),
              }))
            : [],
      }));
      const owner = new Map<string, GroupMember>();
      for (const member of members)
        for (const { topic, partitions } of member.assignment)
          for (const p of partitions) owner.set(tpKey(topic, p), member);
      const keys = new Set([...committed.keys(), ...owner.keys()]);
      const partitions = [...keys].map((key) => {
        const [topic, partition] = key.split('\u0000');
        return { topic, partition: Number(partition), committed: committed.get(key) ?? null, member: owner.get(key) };
      });
      return { raw, members, partitions };
    });
    const everyPartition = shaped.flatMap((g) => g.partitions);
    const unique = [...new Map(everyPartition.map((p) => [tpKey(p.topic, p.partition), p])).values()];
    const ends = await this.offsetsAt(unique, LATEST);
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
    const timestamps = await this.timestampsAtMany([...behind.values()]);
    const now = Date.now();
    return shaped.map(({ raw, members, partitions }) => {
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
      const total = totalLag(rows);
      return {
        group: raw.groupId,
        state: raw.state,
        protocolType: raw.protocolType,
        protocol: raw.protocol,
        members,
        partitions: rows,
        lag: total.lag,
        lagSeconds: total.lagSeconds,
        committedPartitions: rows.filter((r) => r.committedOffset !== null).length,
        measuredAt: new Date(now).toISOString(),
      };
    });
  }

  /** Several groups may wait at different offsets of one partition: one Fetch round per distinct offset depth. */
  private async timestampsAtMany(
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
      const found = await this.timestampsAt(round);
      for (const p of round) {
        const ts = found.get(tpKey(p.topic, p.partition));
        if (ts !== undefined) result.set(`${tpKey(p.topic, p.partition)}\u0000${p.offset}`, ts);
      }
      rest = later;
    }
    return result;
  }

  /** Partitions of a topic as the cluster knows them; a missing topic is one line. */
  async topicPartitions(topic: string): Promise<number[]> {
    const leaders = await this.leaders([topic]);
    const partitions = leaders.get(topic);
    if (!partitions) {
      throw new KfeedError('notFound', `topic ${topic} does not exist (or this client may not describe it)`, {
        hint: 'list topics with `kfeed topic list`',
      });
    }
    return partitions.map((p) => p.partition).sort((a, b) => a - b);
  }

  // ---- changes

  /** Commits offsets for a group without members (generation -1, no member id). */
  async commit(group: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    const topics = new Map<string, Array<{ partition: number; offset: string }>>();
    for (const o of offsets)
      topics.set(o.topic, [...(topics.get(o.topic) ?? []), { partition: o.partition, offset: String(o.offset) }]);
    const request = {
      groupId: group,
      groupGenerationId: -1,
      memberId: '',
      retentionTime: -1,
      topics: [...topics].map(([topic, partitions]) => ({ topic, partitions })),
    };
    // A coordinator that has just moved, or is still loading its groups (a fresh cluster),
    // answers with a retriable error: find it again and repeat, for a bounded time.
    await poll(
      async () => {
        const coordinator = await this.coordinator(group, 'READ');
        try {
          await (coordinator as unknown as { offsetCommit(q: unknown): Promise<unknown> }).offsetCommit(request);
          return true;
        } catch (error) {
          if (RETRIABLE_COORDINATOR_ERRORS.has((error as { type?: string }).type ?? '')) return undefined;
          return this.guarded(() => Promise.reject(error), group, 'READ');
        }
      },
      {
        what: `the coordinator of group ${group}`,
        timeoutMs: 15_000,
        intervalMs: 300,
        onTimeout: () =>
          new KfeedError('connection', `the coordinator of group ${group} did not take the offsets within 15 s`, {
            hint: 'try again; `kfeed group describe` shows the group',
          }),
      },
    );
  }

  /** Current state and members of a group, for the "refused while active" check. */
  async state(group: string): Promise<{ state: string; members: number }> {
    const coordinator = await this.coordinator(group);
    const raw = await this.guarded(() => this.describeRaw(group, coordinator), group, 'DESCRIBE');
    return { state: raw.state, members: raw.members.length };
  }

  async deleteGroup(group: string): Promise<void> {
    const coordinator = await this.coordinator(group, 'DELETE');
    const { results } = await this.guarded(() => coordinator.deleteGroups([group]), group, 'DELETE');
    const code = results.find((r) => r.groupId === group)?.errorCode ?? 0;
    if (code === ERROR.GROUP_ID_NOT_FOUND)
      throw new KfeedError('notFound', `group ${group} does not exist`, {
        hint: 'list groups with `kfeed group list`',
      });
    if (code === ERROR.NON_EMPTY_GROUP) throw activeGroupError(group, 'deleted');
    if (code === ERROR.GROUP_AUTHORIZATION_FAILED)
      throw groupDeniedError(group, this.settings, { operation: 'DELETE' });
    if (code !== 0) throw new KfeedError('internal', `deleting group ${group} failed with Kafka error code ${code}`);
  }

  /** OffsetDelete (API 47, which kafkajs lacks): forgets the group's offsets for `topic`. */
  async deleteOffsets(group: string, topic: string, partitions: number[]): Promise<void> {
    const coordinator = await this.coordinator(group, 'DELETE');
    const { Encoder, Decoder } = kafkajsCodec();
    const request = {
      apiKey: 47,
      apiVersion: 0,
      apiName: 'OffsetDelete',
      encode: async () =>
        new Encoder()
          .writeString(group)
          .writeArray([
            new Encoder().writeString(topic).writeArray(partitions.map((p) => new Encoder().writeInt32(p))),
          ]),
    };
    const response = {
      decode: async (raw: Buffer) => {
        const d = new Decoder(raw);
        const errorCode = d.readInt16();
        d.readInt32(); // throttle time
        const topics = d.readArray((t) => ({
          name: t.readString(),
          partitions: t.readArray((p) => ({ partition: p.readInt32(), errorCode: p.readInt16() })),
        }));
        return { errorCode, topics };
      },
      parse: async (data: unknown) => data,
    };
    const answer = (await this.guarded(
      () => coordinator.connectionPool.send({ request, response }),
      group,
      'DELETE',
    )) as {
      errorCode: number;
      topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }>;
    };
    const codes = [answer.errorCode, ...answer.topics.flatMap((t) => t.partitions.map((p) => p.errorCode))].filter(
      (c) => c !== 0,
    );
    const code = codes[0] ?? 0;
    if (code === 0) return;
    if (code === ERROR.GROUP_ID_NOT_FOUND)
      throw new KfeedError('notFound', `group ${group} does not exist`, {
        hint: 'list groups with `kfeed group list`',
      });
    if (code === ERROR.GROUP_AUTHORIZATION_FAILED)
      throw groupDeniedError(group, this.settings, { operation: 'DELETE', topic });
    if (code === ERROR.TOPIC_AUTHORIZATION_FAILED) {
      throw new KfeedError('denied', `this client is not authorized to read topic ${topic}`, {
        hint: 'deleting offsets needs READ on the topic',
      });
    }
    if (code === ERROR.GROUP_SUBSCRIBED_TO_TOPIC) throw activeGroupError(group, `changed: its members read ${topic}`);
    if (code === ERROR.UNKNOWN_TOPIC_OR_PARTITION)
      throw new KfeedError('notFound', `topic ${topic} does not exist`, {
        hint: 'list topics with `kfeed topic list`',
      });
    throw new KfeedError('internal', `deleting the offsets of group ${group} failed with Kafka error code ${code}`);
  }
}

export function activeGroupError(group: string, what: string, members?: number): KfeedError {
  const who = members === undefined ? 'active members' : `${members} active member(s)`;
  return new KfeedError('conflict', `group ${group} has ${who} and cannot be ${what}`, {
    hint: 'stop its consumers first (Kafka changes offsets only of an inactive group)',
  });
}

/** Runs `work` with a group client, always closing it. */
export async function withGroups<T>(
  settings: ConnectionSettings,
  work: (client: GroupClient) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const client = await GroupClient.open(settings, signal);
  try {
    return await work(client);
  } finally {
    await client.close();
  }
}

/**
 * For a consumer's own group calls: kafkajs reports a refused group as "Failed to find group
 * coordinator". This asks FindCoordinator again, directly, and returns the error that says
 * which ACL is missing; any other failure is translated as usual.
 */
export async function explainGroupFailure(
  error: unknown,
  settings: ConnectionSettings,
  group: string,
  topic?: string,
): Promise<KfeedError> {
  if (error instanceof KfeedError) return error;
  if (isGroupDenied(error)) return groupDeniedError(group, settings, { topic, cause: error });
  if (!isCoordinatorNotFound(error)) return translateKafkaError(error, settings);
  try {
    await withGroups(settings, (client) => client.coordinator(group, 'READ'));
  } catch (probe) {
    if (probe instanceof KfeedError && probe.kind === 'denied')
      return groupDeniedError(group, settings, { topic, cause: error });
  }
  return translateKafkaError(error, settings);
}

async function mapLimit<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]);
    }
  });
  await Promise.all(lanes);
  return results;
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
export async function resetOffsets(client: GroupClient, input: ResetInput): Promise<ResetResult> {
  const all = await client.topicPartitions(input.topic);
  const chosen = input.partitions ?? all;
  const unknown = chosen.filter((p) => !all.includes(p));
  if (unknown.length) {
    throw new KfeedError('usage', `topic ${input.topic} has no partition ${unknown.join(', ')}`, {
      hint: `its partitions are 0 to ${all.length - 1}`,
    });
  }
  const { state, members } = await client.state(input.group);
  if (members > 0) throw activeGroupError(input.group, 'reset', members);
  const tps = chosen.map((partition) => ({ topic: input.topic, partition }));
  const [low, high, byTime, committed] = await Promise.all([
    client.offsetsAt(tps, EARLIEST),
    client.offsetsAt(tps, LATEST),
    input.mode.to === 'time' ? client.offsetsAt(tps, input.mode.timestamp) : Promise.resolve(new Map<string, number>()),
    state === 'Dead'
      ? Promise.resolve(null)
      : client.describe(input.group).then(
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
    await client.commit(
      input.group,
      rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.newOffset })),
    );
  return { group: input.group, topic: input.topic, mode: input.mode, executed: input.execute, partitions: rows };
}
