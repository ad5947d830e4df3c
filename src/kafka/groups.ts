import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { groupDeniedError, isCoordinatorNotFound, isGroupDenied, translateKafkaError } from './errors.js';
import { GroupConnection } from './groups/connection.js';
import { deleteGroup, deleteOffsets } from './groups/delete.js';
import { describeGroup, groupState } from './groups/describe.js';
import { listGroups } from './groups/list.js';
import { commitOffsets, topicPartitions } from './groups/reset.js';
import type { GroupDescription, GroupSummary } from './groups/types.js';

/**
 * Consumer groups: list, describe with lag in messages and in seconds, reset, delete, on the
 * engine's admin calls (src/kafka/groups/: one file per concern). This module is their entry.
 */
export * from './groups/types.js';
export { planReset, type ResetMode, type ResetRow } from './reset-plan.js';
export { resetOffsets, type ResetInput, type ResetResult } from './groups/reset.js';

/** A connection for group questions, with the group operations on it; always `close()` it. */
export class GroupClient extends GroupConnection {
  /** `signal` (the command's abort signal) ends the waits for a coordinator. */
  static async open(settings: ConnectionSettings, signal?: AbortSignal): Promise<GroupClient> {
    return new GroupClient(...(await GroupConnection.connect(settings, signal)));
  }

  list(): Promise<GroupSummary[]> {
    return listGroups(this);
  }

  describe(group: string): Promise<GroupDescription> {
    return describeGroup(this, group);
  }

  state(group: string): Promise<{ state: string; members: number }> {
    return groupState(this, group);
  }

  topicPartitions(topic: string): Promise<number[]> {
    return topicPartitions(this, topic);
  }

  commit(group: string, offsets: Array<{ topic: string; partition: number; offset: number }>): Promise<void> {
    return commitOffsets(this, group, offsets);
  }

  deleteGroup(group: string): Promise<void> {
    return deleteGroup(this, group);
  }

  deleteOffsets(group: string, topic: string, partitions: number[]): Promise<void> {
    return deleteOffsets(this, group, topic, partitions);
  }
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
 * For a consumer's own group calls: a client may report a refused group only as "could not
 * find the group coordinator". This asks FindCoordinator again, directly, and returns the error
 * that says which ACL is missing; any other failure is translated as usual.
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
