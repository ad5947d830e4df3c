import type { ConnectionFlags, ConnectionSettings } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { grantTopicRead, type AclBinding } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { translateKafkaError } from '../../kafka/errors.js';
import { waitUntilEveryBrokerKnows } from '../../kafka/propagation.js';
import { createTopic, parseConfigs } from '../../kafka/topics.js';
import { defineCommand } from '../command.js';
import { collect, connectionFlags, integer, withConnectionOptions } from '../options.js';

export interface CreateTopicOptions extends ConnectionFlags {
  name: string;
  partitions: number;
  replicationFactor?: number;
  config: string[];
  grantBrokers?: boolean | string;
}

export interface CreateTopicResult {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
  grants: AclBinding[];
}

export default defineCommand<CreateTopicOptions, CreateTopicResult>({
  name: 'create',
  summary: 'create a topic',
  args: [{ key: 'name', syntax: '<name>', description: 'topic name' }],
  flags: (command) =>
    withConnectionOptions(
      command
        .option('-p, --partitions <n>', 'partitions', integer('--partitions', 1, 100_000), 1)
        .option(
          '-r, --replication-factor <n>',
          'replicas per partition (default: brokers, at most 3)',
          integer('--replication-factor', 1, 32),
        )
        .option('--config <key=value>', 'topic config, repeatable (e.g. retention.ms=86400000)', collect, [])
        .option(
          '--grant-brokers [principal]',
          "grant the brokers' own certificate principal Read on the topic (MSK: User:CN=*.<cluster domain>)",
        ),
    ),
  validate: (options) => void parseConfigs(options.config),
  run: createTopicRun,
  render: (result) =>
    [
      `created topic ${result.name} (${result.partitions} partition${result.partitions > 1 ? 's' : ''}, ` +
        `replication factor ${result.replicationFactor})`,
      ...result.grants.map(
        (g) => `granted ${g.principal} ${g.operation} on ${g.resourceType.toLowerCase()} ${g.resourceName}`,
      ),
    ].join('\n'),
});

/**
 * The brokers' certificate principal: given, known from the profile the brokers came from, or
 * MSK's wildcard name. A profile's principal is used only when that profile also named the
 * brokers: brokers from flags or the environment may be another cluster.
 */
export function brokerPrincipal(
  ctx: Context,
  settings: Pick<ConnectionSettings, 'brokers' | 'origin' | 'profileName'>,
  given: string | true,
): string {
  if (typeof given === 'string') return given.startsWith('User:') ? given : `User:${given}`;
  const { profileName } = settings;
  const brokersFromProfile = profileName !== undefined && settings.origin.brokers === `profile ${profileName}`;
  const known = brokersFromProfile ? ctx.profiles.get(profileName)?.meta?.brokerPrincipal : undefined;
  if (known) return known;
  const host = settings.brokers[0].replace(/:\d+$/, '');
  const labels = host.split('.');
  if (labels.length < 3 || /^\d+$/.test(labels[labels.length - 1])) {
    throw new KfeedError('usage', `cannot derive the brokers' principal from ${host}`, {
      hint: 'nothing was created; pass it: --grant-brokers "User:CN=..."',
    });
  }
  // MSK broker certificates are issued to the wildcard of the cluster's domain.
  return `User:CN=*.${labels.slice(1).join('.')}`;
}

async function createTopicRun(ctx: Context, options: CreateTopicOptions): Promise<CreateTopicResult> {
  const configs = parseConfigs(options.config);
  const settings = await ctx.connection(connectionFlags(options));
  // Known before anything is created, so a principal that cannot be derived changes nothing.
  const principal = options.grantBrokers ? brokerPrincipal(ctx, settings, options.grantBrokers) : undefined;
  const result = await withAdmin(settings, async (admin) => {
    const topic = await createTopic(admin, {
      name: options.name,
      partitions: options.partitions,
      replicationFactor: options.replicationFactor,
      configs,
    });
    const grants = principal ? await grantTopicRead(admin, principal, options.name) : [];
    return { ...topic, grants };
  });
  await waitUntilEveryBrokerKnows(settings, options.name, { signal: ctx.abort.signal }).catch((error) => {
    throw translateKafkaError(error, settings);
  });
  return result;
}
