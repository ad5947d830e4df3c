import { describe, expect, it } from 'vitest';
import { followAssignments, isRebalanceError, Ownership } from '../../src/feed/ownership.js';

describe('Ownership', () => {
  it('gives a partition a new token each time it is assigned again, and none while it is elsewhere', () => {
    const owned = new Ownership();
    expect(owned.token('t', 0)).toBeUndefined();
    owned.update([{ topic: 't', partitions: [0, 1] }]);
    const [zero, one] = [owned.token('t', 0), owned.token('t', 1)];
    expect(zero).toBeDefined();
    expect(one).toBeDefined();
    expect(zero).not.toBe(one);

    // A rebalance that keeps partition 0 and moves 1 away: 0 keeps its token.
    owned.update([{ topic: 't', partitions: [0] }]);
    expect(owned.token('t', 0)).toBe(zero);
    expect(owned.token('t', 1)).toBeUndefined();

    // 1 comes back: a new assignment, a new token.
    owned.update([
      { topic: 't', partitions: [0, 1] },
      { topic: 'u', partitions: [1] },
    ]);
    expect(owned.token('t', 1)).not.toBe(one);
    expect(owned.token('t', 1)).toBeDefined();
    expect(owned.token('u', 1)).toBeDefined();
    expect(owned.token('u', 0)).toBeUndefined();

    // Fenced or left: nothing is owned.
    owned.update(null);
    expect([owned.token('t', 0), owned.token('t', 1), owned.token('u', 1)]).toEqual([undefined, undefined, undefined]);
  });

  it('follows every assignment and member id the client sets on its public properties', () => {
    const client: { assignments: Array<{ topic: string; partitions: number[] }> | null; memberId: string | null } = {
      assignments: null,
      memberId: null,
    };
    const owned = new Ownership();
    expect(followAssignments(client, owned)).toBe(true);
    client.assignments = [{ topic: 't', partitions: [2] }];
    expect(client.assignments).toEqual([{ topic: 't', partitions: [2] }]);
    const first = owned.token('t', 2);
    expect(first).toBeDefined();
    client.assignments = [];
    expect(owned.token('t', 2)).toBeUndefined();
    client.memberId = 'one';
    client.assignments = [{ topic: 't', partitions: [2] }];
    const second = owned.token('t', 2);
    expect(second).not.toBe(first);

    // Expired: nothing is owned until it is back under a new id with an assignment.
    client.memberId = null;
    expect(owned.token('t', 2)).toBeUndefined();
    client.memberId = 'two';
    expect(client.memberId).toBe('two');
    client.assignments = [{ topic: 't', partitions: [2] }];
    expect(owned.token('t', 2)).toBeDefined();
    expect(owned.token('t', 2)).not.toBe(second);

    // A new id while assigned (the engine rejoined without a word): every partition is new.
    const third = owned.token('t', 2);
    client.memberId = 'three';
    expect(owned.token('t', 2)).not.toBe(third);
  });

  it('watches nothing on a client whose property is not plain data', () => {
    const client = {
      get assignments() {
        return null;
      },
      memberId: null,
    } as unknown as { assignments: null; memberId: null };
    expect(followAssignments(client, new Ownership())).toBe(false);
  });
});

describe('isRebalanceError', () => {
  it('knows the group errors of a rebalance, in both protocols, however the engine wraps them', () => {
    for (const apiId of [
      'ILLEGAL_GENERATION',
      'REBALANCE_IN_PROGRESS',
      'UNKNOWN_MEMBER_ID',
      'STALE_MEMBER_EPOCH',
      'FENCED_MEMBER_EPOCH',
    ]) {
      expect(isRebalanceError({ message: 'Received response with error', errors: [{ message: 'x', apiId }] })).toBe(
        true,
      );
    }
    expect(isRebalanceError(new Error('Specified group generation id is not valid.'))).toBe(true);
  });

  it('leaves every other failure fatal', () => {
    for (const error of [
      new Error('Connection closed'),
      { message: 'Received response with error', errors: [{ message: 'denied', apiId: 'GROUP_AUTHORIZATION_FAILED' }] },
      { message: 'x', apiId: 'COORDINATOR_NOT_AVAILABLE' },
      undefined,
    ])
      expect(isRebalanceError(error)).toBe(false);
  });
});
