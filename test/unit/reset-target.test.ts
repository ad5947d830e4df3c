import { describe, expect, it } from 'vitest';
import { KfeedError } from '../../src/errors.js';
import { checkResetTarget, groupExists } from '../../src/kafka/reset-target.js';
import { expectKfeedError } from '../helpers/assert.js';

describe('group reset-offsets: a group that does not exist is made only when asked', () => {
  it('an existing group is reset, with or without --new-group', () => {
    expect(checkResetTarget({ group: 'desk', exists: true, newGroup: false })).toBe('existing');
    expect(checkResetTarget({ group: 'desk', exists: true, newGroup: true })).toBe('existing');
  });

  it('a missing group is refused (exit 7) unless --new-group, then it is new', () => {
    expectKfeedError(
      () => checkResetTarget({ group: 'dsek', exists: false, newGroup: false }),
      'notFound',
      'group dsek does not exist',
      {
        hint: 'check the name with `kfeed group list`, or pass --new-group to create it with these offsets',
      },
    );
    expect(checkResetTarget({ group: 'dsek', exists: false, newGroup: true })).toBe('new');
  });

  it('existence: a notFound from describe means no group; any other failure is passed on', async () => {
    const describing = (outcome: unknown) => ({
      describe: async () => {
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
    });
    expect(await groupExists(describing({ group: 'g' }), 'g')).toBe(true);
    expect(await groupExists(describing(new KfeedError('notFound', 'group g does not exist')), 'g')).toBe(false);
    const denied = new KfeedError('denied', 'not authorized for group g');
    await expect(groupExists(describing(denied), 'g')).rejects.toBe(denied);
    const plain = new Error('socket hang up');
    await expect(groupExists(describing(plain), 'g')).rejects.toBe(plain);
  });
});
