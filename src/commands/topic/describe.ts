import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { withAdmin } from '../../kafka/client.js';
import { describeTopic, type TopicDescription } from '../../kafka/topics.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface DescribeTopicOptions extends ConnectionFlags {
  name: string;
}

export default defineCommand<DescribeTopicOptions, TopicDescription>({
  name: 'describe',
  summary: 'show partitions (leader, replicas, ISR, offsets) and non-default configs of a topic',
  args: [{ key: 'name', syntax: '<name>', description: 'topic name' }],
  flags: (command) => withConnectionOptions(command),
  run: async (ctx: Context, options) => {
    const settings = await ctx.connection(connectionFlags(options));
    return withAdmin(settings, (admin) => describeTopic(admin, options.name, settings));
  },
  render: (topic, view) => {
    const list = (ids: number[]) => ids.join(',');
    const partitions = view.table(topic.partitions, [
      { header: 'PARTITION', value: (p) => p.partition, align: 'right' },
      { header: 'LEADER', value: (p) => p.leader, align: 'right' },
      { header: 'REPLICAS', value: (p) => list(p.replicas) },
      { header: 'ISR', value: (p) => list(p.isr) },
      { header: 'OFFLINE', value: (p) => list(p.offline) },
      { header: 'LOW', value: (p) => p.low, align: 'right' },
      { header: 'HIGH', value: (p) => p.high, align: 'right' },
    ]);
    const configs =
      topic.configs === null
        ? 'configs: not shown (this client may not describe the topic configs)'
        : view.table(
            topic.configs,
            [
              { header: 'CONFIG', value: (c) => c.name },
              { header: 'VALUE', value: (c) => (c.sensitive ? '(sensitive)' : (c.value ?? '')) },
              { header: 'SOURCE', value: (c) => c.source },
            ],
            'configs: all broker defaults',
          );
    const replicas = topic.partitions[0]?.replicas.length ?? 0;
    const header = `topic ${topic.name}: ${topic.partitions.length} partition(s), replication factor ${replicas}`;
    return `${header}\n${partitions}\n${configs}`;
  },
});
