import { errorText } from './consumer-start.js';

/**
 * Which partitions a group member owns, and since when. Each time a partition is assigned to
 * this member (again) it gets a new token, so that what was read or buffered under an earlier
 * assignment is never taken for what is read now: in between, another member may have read,
 * written and committed it.
 */
export class Ownership {
  private readonly tokens = new Map<string, number>();
  private issued = 0;

  /** Takes the member's whole assignment (topic -> partitions), as the engine sets it. */
  update(assignments: ReadonlyArray<{ topic: string; partitions: readonly number[] }> | null): void {
    const now = new Set<string>();
    for (const { topic, partitions } of assignments ?? [])
      for (const partition of partitions) now.add(ownershipKey(topic, partition));
    for (const key of [...this.tokens.keys()]) if (!now.has(key)) this.tokens.delete(key);
    for (const key of now) if (!this.tokens.has(key)) this.tokens.set(key, ++this.issued);
  }

  /**
   * The member lost its place in the group (a new member id): every partition it has now was
   * someone else's in between, so each gets a new token.
   */
  renew(): void {
    for (const key of this.tokens.keys()) this.tokens.set(key, ++this.issued);
  }

  /** The token of the current assignment of a partition; undefined while it is not this member's. */
  token(topic: string, partition: number): number | undefined {
    return this.tokens.get(ownershipKey(topic, partition));
  }
}

const ownershipKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

/** Turns a plain data property into an accessor that calls `changed` on every assignment. */
function watchProperty<T extends object, K extends keyof T>(
  target: T,
  name: K,
  changed: (next: T[K], previous: T[K]) => void,
) {
  const own = Object.getOwnPropertyDescriptor(target, name)!;
  let current = own.value as T[K];
  Object.defineProperty(target, name, {
    configurable: true,
    enumerable: own.enumerable,
    get: () => current,
    set: (next: T[K]) => {
      const previous = current;
      current = next;
      changed(next, previous);
    },
  });
}

const plainData = (target: object, name: string) => {
  const own = Object.getOwnPropertyDescriptor(target, name);
  return own !== undefined && 'value' in own && own.writable === true && own.configurable === true;
};

/**
 * Makes `ownership` follow the engine consumer's `assignments` and `memberId`, the public
 * properties every assignment and membership change of the engine goes through (joins,
 * rebalances, fences, expiries, leaves, in both group protocols), by turning them into
 * accessors. Returns false, watching nothing, when they are not plain data properties of the
 * consumer (a changed engine).
 */
export function followAssignments(
  consumer: {
    assignments: ReadonlyArray<{ topic: string; partitions: number[] }> | null;
    memberId?: string | null;
  },
  ownership: Ownership,
): boolean {
  if (!plainData(consumer, 'assignments') || !plainData(consumer, 'memberId')) return false;
  ownership.update(consumer.assignments);
  watchProperty(consumer, 'assignments', (next) => ownership.update(next));
  // Expired or fenced: the id is dropped (null) and nothing is owned until the next join, which
  // brings a new id and an assignment.
  watchProperty(consumer, 'memberId', (next, previous) => {
    if (!next) ownership.update(null);
    else if (previous !== next) ownership.renew();
  });
  return true;
}

/**
 * A group error that means "the group is rebalancing or moved on without this member": an
 * offset commit that fails with one is retried while the member still owns the partition,
 * and given up (not fatal) once the partition has gone to another member.
 */
export function isRebalanceError(error: unknown): boolean {
  return /ILLEGAL_GENERATION|REBALANCE_IN_PROGRESS|UNKNOWN_MEMBER_ID|STALE_MEMBER_EPOCH|FENCED_MEMBER_EPOCH|generation id is not valid|group is rebalancing|member epoch/i.test(
    errorText(error),
  );
}
