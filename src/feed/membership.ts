import type { Consumer } from '@platformatic/kafka';
import type { KfeedError } from '../errors.js';
import { errorText, type GroupProtocol } from './consumer-start.js';
import type { CommitOffset } from './consumer.js';
import { followAssignments, isRebalanceError, Ownership } from './ownership.js';

type EngineConsumer = Consumer<Buffer, Buffer, Buffer, Buffer>;

/** How long a commit or a rejoin keeps retrying through a rebalance. */
const REBALANCE_MS = 60_000;

const pause = (attempt: number, most: number) =>
  new Promise((resolve) => setTimeout(resolve, Math.min(most, 100 * attempt)));

/**
 * Retries group calls while the group's coordinator is being elected or loading (a new
 * group, a restarted broker).
 */
export async function whileCoordinatorMoves<T>(call: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call();
    } catch (error) {
      if (attempt >= 20 || !/COORDINATOR/.test(errorText(error))) throw error;
      await pause(attempt, 2000);
    }
  }
}

/** What a consumer knows and does as a member of its group (or of none). */
export interface Membership {
  /** The token of the current assignment of a partition (Ownership); undefined: not this member's. */
  owner(topic: string, partition: number): number | undefined;
  commit: CommitOffset;
  /** The group's committed offset of a partition (the next to read); undefined: none, or no group. */
  committed(topic: string, partition: number): Promise<bigint | undefined>;
  /** A group failure the member could not get over; `onFailure` is told when one comes. */
  failure(): unknown;
  onFailure(listener: () => void): void;
  close(): void;
}

/** Reading without a group: the wanted partitions are this reader's, and nothing is committed. */
export function withoutGroup(partitions: Map<string, number[]>, wanted: (partition: number) => boolean): Membership {
  const ownership = new Ownership();
  ownership.update([...partitions].map(([topic, ids]) => ({ topic, partitions: ids.filter(wanted) })));
  return {
    owner: (topic, partition) => ownership.token(topic, partition),
    commit: async () => true,
    committed: async () => undefined,
    failure: () => undefined,
    onFailure: () => undefined,
    close: () => undefined,
  };
}

/**
 * A member of a consumer group: which partitions are its own (followed on the engine
 * consumer), commits that a rebalance does not fail, and rejoining after the engine gave up.
 * `explain` turns an engine error into the one the user sees.
 */
export function groupMembership(
  consumer: EngineConsumer,
  protocol: GroupProtocol,
  wanted: (partition: number) => boolean,
  explain: (error: unknown, topic?: string) => Promise<KfeedError>,
): Membership {
  const ownership = new Ownership();
  const following = followAssignments(consumer, ownership);
  // The classic protocol is eager: once the group rebalances, every partition may go elsewhere,
  // and the engine hands out the next assignment only after JoinGroup and SyncGroup. Nothing is
  // written or committed in between; the stream then reads every partition from its commit.
  if (protocol === 'classic') consumer.on('consumer:group:rebalance', () => ownership.update(null));
  const owner = (topic: string, partition: number) => {
    if (!following) ownership.update(consumer.assignments);
    return wanted(partition) ? ownership.token(topic, partition) : undefined;
  };

  // A rejoin the engine gave up on (its heartbeat found the group rebalancing, then JoinGroup or
  // SyncGroup kept failing) comes as an 'error' event, which unheard would end the process.
  // The member owns nothing until it is back: it rejoins, and the stream then reads on from
  // the group's commits. Only a rejoin that fails for REBALANCE_MS ends the run.
  let failure: unknown;
  let onFailure: (() => void) | undefined;
  let rejoining = false;
  let closed = false;
  const fail = (error: unknown) => {
    failure ??= error;
    onFailure?.();
  };
  const rejoin = async () => {
    const deadline = Date.now() + REBALANCE_MS;
    for (let attempt = 1; !closed; attempt++) {
      try {
        await consumer.joinGroup({});
        return;
      } catch (error) {
        if (Date.now() > deadline) return fail(error);
        await pause(attempt, 2000);
      }
    }
  };
  consumer.on('error', (error: unknown) => {
    if (!following) return fail(error);
    ownership.update(null);
    if (rejoining) return;
    rejoining = true;
    void rejoin().finally(() => (rejoining = false));
  });

  return {
    owner,
    async commit(topic, partition, offset) {
      const token = owner(topic, partition);
      const deadline = Date.now() + REBALANCE_MS;
      for (let attempt = 1; ; attempt++) {
        // Given to another member meanwhile: its new owner reads on from the last commit.
        if (token === undefined || owner(topic, partition) !== token) return false;
        try {
          await whileCoordinatorMoves(() =>
            consumer.commit({ offsets: [{ topic, partition, offset: BigInt(offset), leaderEpoch: -1 }] }),
          );
          return true;
        } catch (error) {
          // A rebalance (a member joining or leaving) is no failure: retry once it settled.
          if (!isRebalanceError(error) || Date.now() > deadline) throw await explain(error, topic);
          await pause(attempt, 1000);
        }
      }
    },
    async committed(topic, partition) {
      try {
        const found = await whileCoordinatorMoves(() =>
          consumer.listCommittedOffsets({ topics: [{ topic, partitions: [partition] }] }),
        );
        const offset = found.get(topic)?.[partition] ?? -1n;
        return offset >= 0n ? offset : undefined;
      } catch (error) {
        throw await explain(error, topic);
      }
    },
    failure: () => failure,
    onFailure: (listener) => (onFailure = listener),
    close: () => (closed = true),
  };
}
