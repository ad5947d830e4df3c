import { KfeedError } from '../../errors.js';

/** The group protocols Kafka 4 brokers serve: classic (JoinGroup / SyncGroup) and consumer (KIP-848). */
export type GroupType = 'classic' | 'consumer';

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

/** A group as its coordinator describes it, before lag is measured. */
export interface RawGroup {
  group: string;
  /** The group's protocol: classic, or consumer (KIP-848, Kafka 4). */
  type: GroupType;
  state: string;
  protocolType: string;
  /** Classic groups: the assignor the members agreed on; consumer groups: the broker's assignor. */
  protocol: string;
  members: GroupMember[];
}

/** A group's lag over all its partitions. */
interface GroupLagTotals {
  /** Sum of the partitions' lag (messages). */
  lag: number;
  /** The largest time lag of a partition (seconds); null when none could be read. */
  lagSeconds: number | null;
  /** Partitions with a committed offset: 0 means "no commits" (its lag of 0 is not "caught up"). */
  committedPartitions: number;
}

export interface GroupDescription extends RawGroup, GroupLagTotals {
  partitions: PartitionLag[];
  /** When the lag was measured (ISO). */
  measuredAt: string;
}

/** One row of `group list`: a description without its partitions, members counted. */
export interface GroupSummary extends Omit<RawGroup, 'members'>, GroupLagTotals {
  members: number;
}

export const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export function activeGroupError(group: string, what: string, members?: number): KfeedError {
  const who = members === undefined ? 'active members' : `${members} active member(s)`;
  return new KfeedError('conflict', `group ${group} has ${who} and cannot be ${what}`, {
    hint: 'stop its consumers first (Kafka changes offsets only of an inactive group)',
  });
}

export function groupNotFound(group: string): KfeedError {
  return new KfeedError('notFound', `group ${group} does not exist`, {
    hint: 'list groups with `kfeed group list`',
  });
}
