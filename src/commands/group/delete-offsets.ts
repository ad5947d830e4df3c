import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { withGroups } from '../../kafka/groups.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';
import { parseTopicPartitions } from './shared.js';

export interface DeleteOffsetsOptions extends ConnectionFlags {
  group: string;
  topic: string;
}

export interface DeleteOffsetsResult {
  group: string;
  topic: string;
  partitions: number[];
}

export default defineCommand<DeleteOffsetsOptions, DeleteOffsetsResult>({
  name: 'delete-offsets',
  summary: "forget a group's committed offsets for one topic (refused while its members read the topic)",
  args: [{ key: 'group', syntax: '<group>', description: 'consumer group id' }],
  flags: (command) =>
    withConnectionOptions(
      command.requiredOption('--topic <topic[:p,...]>', 'the topic (and optionally some of its partitions)'),
    ),
  validate: (options) => void parseTopicPartitions(options.topic),
  run: async (ctx: Context, options) => {
    const { topic, partitions } = parseTopicPartitions(options.topic);
    const settings = await ctx.connection(connectionFlags(options));
    return withGroups(
      settings,
      async (client) => {
        const all = await client.topicPartitions(topic);
        const chosen = partitions ?? all;
        await client.deleteOffsets(options.group, topic, chosen);
        return { group: options.group, topic, partitions: chosen };
      },
      ctx.abort.signal,
    );
  },
  render: (r) => `deleted the offsets of group ${r.group} on ${r.topic} (partitions ${r.partitions.join(', ')})`,
});
