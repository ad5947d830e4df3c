import { KfeedError } from '../errors.js';

/**
 * `group reset-offsets` on a group that does not exist would create it (a commit is all a group
 * needs), so a mistyped name would make a new group silently. It is refused unless the caller
 * says a new group is what is wanted (`--new-group`).
 */

/** Whether the reset may go on: `new` when it creates the group, `existing` when the group is there. */
export function checkResetTarget(input: { group: string; exists: boolean; newGroup: boolean }): 'new' | 'existing' {
  if (input.exists) return 'existing';
  if (!input.newGroup) {
    throw new KfeedError('notFound', `group ${input.group} does not exist`, {
      hint: 'check the name with `kfeed group list`, or pass --new-group to create it with these offsets',
    });
  }
  return 'new';
}

/**
 * Whether the group exists, through anything that describes a group and throws a `notFound`
 * KfeedError for one that does not (a group with neither members nor committed offsets).
 */
export async function groupExists(
  client: { describe(group: string): Promise<unknown> },
  group: string,
): Promise<boolean> {
  try {
    await client.describe(group);
    return true;
  } catch (error) {
    if (error instanceof KfeedError && error.kind === 'notFound') return false;
    throw error;
  }
}
