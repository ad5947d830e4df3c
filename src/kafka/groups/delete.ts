import { KfeedError } from '../../errors.js';
import { groupDeniedError, hasKafkaError } from '../errors.js';
import type { GroupConnection } from './connection.js';
import { activeGroupError, groupNotFound } from './types.js';

/** Deletes a group without members (DeleteGroups at its coordinator). */
export async function deleteGroup(client: GroupConnection, group: string): Promise<void> {
  try {
    await client.guarded(() => client.admin.deleteGroups({ groups: [group] }), group, 'DELETE');
  } catch (error) {
    const cause = error instanceof KfeedError ? error.cause : error;
    if (hasKafkaError(cause, 'GROUP_ID_NOT_FOUND')) throw groupNotFound(group);
    if (hasKafkaError(cause, 'NON_EMPTY_GROUP')) throw activeGroupError(group, 'deleted');
    throw error;
  }
}

/** OffsetDelete: forgets the group's offsets for `topic` (refused while its members read it). */
export async function deleteOffsets(
  client: GroupConnection,
  group: string,
  topic: string,
  partitions: number[],
): Promise<void> {
  try {
    await client.guarded(
      () =>
        client.admin.deleteConsumerGroupOffsets({
          groupId: group,
          topics: [{ name: topic, partitionIndexes: partitions }],
        }),
      group,
      'DELETE',
    );
  } catch (error) {
    const cause = error instanceof KfeedError ? error.cause : error;
    if (hasKafkaError(cause, 'GROUP_ID_NOT_FOUND')) throw groupNotFound(group);
    if (hasKafkaError(cause, 'GROUP_AUTHORIZATION_FAILED'))
      throw groupDeniedError(group, client.settings, { operation: 'DELETE', topic });
    if (hasKafkaError(cause, 'TOPIC_AUTHORIZATION_FAILED')) {
      throw new KfeedError('denied', `this client is not authorized to read topic ${topic}`, {
        hint: 'deleting offsets needs READ on the topic',
      });
    }
    if (hasKafkaError(cause, 'GROUP_SUBSCRIBED_TO_TOPIC'))
      throw activeGroupError(group, `changed: its members read ${topic}`);
    if (hasKafkaError(cause, 'UNKNOWN_TOPIC_OR_PARTITION'))
      throw new KfeedError('notFound', `topic ${topic} does not exist`, {
        hint: 'list topics with `kfeed topic list`',
      });
    throw error;
  }
}
