import type { Command } from 'commander';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { grantRole } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { translateKafkaError } from '../../kafka/errors.js';
import { waitUntilEveryBrokerKnows } from '../../kafka/propagation.js';
import { createTopic, parseConfigs } from '../../kafka/topics.js';
import { collect, connectionFlags, integer, withConnectionOptions } from '../options.js';

export interface CreateTopicOptions extends ConnectionFlags {
  partitions: number;
  replicationFactor?: number;
  config: string[];
  grantBrokers?: boolean | string;
}

export function register(program: Command, ctx: Context): void {
  withConnectionOptions(
    program
      .command('create-topic')
      .description('create a topic')
      .argument('<name>', 'topic name')
      .option('-p, --partitions <n>', 'partitions', integer('--partitions', 1, 100_000), 1)
      .option('-r, --replication-factor <n>', 'replicas per partition (default: brokers, at most 3)', integer('--replication-factor', 1, 32))
      .option('--config <key=value>', 'topic config, repeatable (e.g. retention.ms=86400000)', collect, [])
      .option('--grant-brokers [principal]', "grant the brokers' own certificate principal Read on the topic (MSK: User:CN=*.<cluster domain>)"),
  ).action((name: string, options: CreateTopicOptions) => createTopicRun(ctx, name, options));
}

/** The brokers' certificate principal: given, known from a local profile, or MSK's wildcard name. */
export function brokerPrincipal(ctx: Context, brokers: string[], given: string | true, profileName?: string): string {
  if (typeof given === 'string') return given.startsWith('User:') ? given : `User:${given}`;
  const known = profileName ? ctx.profiles.get(profileName)?.meta?.brokerPrincipal : undefined;
  if (known) return known;
  const host = brokers[0].replace(/:\d+$/, '');
  const labels = host.split('.');
  if (labels.length < 3 || /^\d+$/.test(labels[labels.length - 1])) {
    throw new KfeedError('usage', `cannot derive the brokers' principal from ${host}`, { hint: 'pass it: --grant-brokers "User:CN=..."' });
  }
  // MSK broker certificates are issued to the wildcard of the cluster's domain.
  return `User:CN=*.${labels.slice(1).join('.')}`;
}

export async function createTopicRun(ctx: Context, name: string, options: CreateTopicOptions): Promise<void> {
  const configs = parseConfigs(options.config);
  const settings = await ctx.connection(connectionFlags(options));
  const result = await withAdmin(settings, async (admin) => {
    const topic = await createTopic(admin, { name, partitions: options.partitions, replicationFactor: options.replicationFactor, configs });
    const grants = options.grantBrokers
      ? await grantRole(admin, { principal: brokerPrincipal(ctx, settings.brokers, options.grantBrokers, settings.profileName), role: 'read', topic: name })
      : [];
    return { ...topic, grants };
  });
  await waitUntilEveryBrokerKnows(settings, name).catch((error) => {
    throw translateKafkaError(error, settings);
  });
  if (ctx.json) return ctx.printJson(result);
  ctx.print(`created topic ${result.name} (${result.partitions} partition${result.partitions > 1 ? 's' : ''}, replication factor ${result.replicationFactor})`);
  for (const grant of result.grants) ctx.print(`granted ${grant.principal} ${grant.operation} on ${grant.resourceType.toLowerCase()} ${grant.resourceName}`);
}
