import type { Command } from 'commander';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { withAdmin } from '../../kafka/client.js';
import { describeTopic } from '../../kafka/topics.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export function register(program: Command, ctx: Context): void {
  withConnectionOptions(
    program
      .command('describe-topic')
      .description('show partitions (leader, replicas, ISR, offsets) and non-default configs of a topic')
      .argument('<name>', 'topic name'),
  ).action((name: string, options: ConnectionFlags) => describeTopicRun(ctx, name, options));
}

export async function describeTopicRun(ctx: Context, name: string, options: ConnectionFlags): Promise<void> {
  const settings = await ctx.connection(connectionFlags(options));
  const topic = await withAdmin(settings, (admin) => describeTopic(admin, name));
  if (ctx.json) return ctx.printJson(topic);
  const list = (ids: number[]) => ids.join(',');
  ctx.print(`topic ${topic.name}: ${topic.partitions.length} partition(s), replication factor ${topic.partitions[0]?.replicas.length ?? 0}`);
  ctx.printTable(topic.partitions, [
    { header: 'PARTITION', value: (p) => p.partition, align: 'right' },
    { header: 'LEADER', value: (p) => p.leader, align: 'right' },
    { header: 'REPLICAS', value: (p) => list(p.replicas) },
    { header: 'ISR', value: (p) => list(p.isr) },
    { header: 'OFFLINE', value: (p) => list(p.offline) },
    { header: 'LOW', value: (p) => p.low, align: 'right' },
    { header: 'HIGH', value: (p) => p.high, align: 'right' },
  ]);
  ctx.print('');
  if (topic.configs === null) return ctx.print('configs: not shown (this client may not describe the topic configs)');
  ctx.printTable(
    topic.configs,
    [
      { header: 'CONFIG', value: (c) => c.name },
      { header: 'VALUE', value: (c) => (c.sensitive ? '(sensitive)' : (c.value ?? '')) },
      { header: 'SOURCE', value: (c) => c.source },
    ],
    'configs: all broker defaults',
  );
}
