import type { Admin } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { closeQuietly, createAdmin, watchSocketErrors, withAdmin } from './client.js';
import { speaks } from './engine-api.js';
import { causes, hasKafkaError, translateKafkaError } from './errors.js';
import { LISTENER_KEYS, type BrokerListenerConfig, type ConfigOperation, type ListenerKey } from './listeners.js';
import { brokers } from './topics.js';

/** Config resource type BROKER in DescribeConfigs / IncrementalAlterConfigs requests. */
const BROKER_RESOURCE = 4;
/** DescribeConfigs config source of a per-broker dynamic override. */
const DYNAMIC_BROKER_CONFIG = 2;
const INCREMENTAL_ALTER_CONFIGS = 44;
/** IncrementalAlterConfigs operations. */
const OPERATION = { set: 0, delete: 1 } as const;

export type MetadataMode = 'zookeeper' | 'kraft' | 'unknown';

export interface BrokerListenerState extends BrokerListenerConfig {
  mode: MetadataMode;
}

/**
 * Reads each broker's listener configs and tells ZooKeeper-mode brokers from KRaft ones
 * (KRaft brokers have process.roles; ZooKeeper-mode ones have zookeeper.connect). The engine
 * sends each broker's DescribeConfigs to that broker.
 */
export async function readListenerConfigs(admin: Admin): Promise<BrokerListenerState[]> {
  const cluster = await brokers(admin);
  const names = [...LISTENER_KEYS, 'process.roles', 'zookeeper.connect'];
  let described;
  try {
    described = await admin.describeConfigs({
      resources: cluster.map((b) => ({
        resourceType: BROKER_RESOURCE,
        resourceName: String(b.nodeId),
        configurationKeys: names,
      })),
      includeSynonyms: false,
    });
  } catch (error) {
    if (hasKafkaError(error, 'CLUSTER_AUTHORIZATION_FAILED')) {
      throw new KfeedError('denied', "could not read the brokers' configs: not authorized", {
        hint: 'the client needs DescribeConfigs on the cluster',
      });
    }
    throw error;
  }
  return cluster.map((broker) => {
    const resource = described.find((r) => r.resourceName === String(broker.nodeId));
    if (!resource) {
      throw new KfeedError('config', `could not read the configs of broker ${broker.nodeId}: no answer`, {
        hint: 'the client needs DescribeConfigs on the cluster',
      });
    }
    const entry = (name: string) => resource.configs.find((e) => e.name === name);
    const values = Object.fromEntries(LISTENER_KEYS.map((k) => [k, entry(k)?.value ?? null])) as Record<
      ListenerKey,
      string | null
    >;
    const dynamic = Object.fromEntries(
      LISTENER_KEYS.map((k) => [k, entry(k)?.configSource === DYNAMIC_BROKER_CONFIG]),
    ) as Record<ListenerKey, boolean>;
    const roles = entry('process.roles')?.value;
    const zookeeper = entry('zookeeper.connect')?.value;
    const mode: MetadataMode = roles ? 'kraft' : zookeeper ? 'zookeeper' : 'unknown';
    return { brokerId: broker.nodeId, host: broker.host, values, dynamic, mode };
  });
}

/** Every per-broker dynamic override of one broker (name -> value; sensitive ones read back as null). */
export async function brokerOverrides(admin: Admin, brokerId: number): Promise<Record<string, string | null>> {
  const described = await admin.describeConfigs({
    resources: [{ resourceType: BROKER_RESOURCE, resourceName: String(brokerId) }],
    includeSynonyms: false,
  });
  return Object.fromEntries(
    (described[0]?.configs ?? [])
      .filter((e) => e.configSource === DYNAMIC_BROKER_CONFIG)
      .map((e) => [e.name, e.value ?? null] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

/**
 * Sets or deletes single per-broker configs on broker `brokerId` with IncrementalAlterConfigs,
 * leaving every other override as it is. Never the legacy AlterConfigs, which replaces every
 * dynamic override of the broker (sensitive ones cannot even be read back to re-send). The
 * engine sends the request to that broker, which validates it itself.
 */
export async function incrementalAlterBrokerConfigs(
  settings: ConnectionSettings,
  brokerId: number,
  operations: ConfigOperation[],
): Promise<void> {
  if (operations.length === 0) return;
  await withAdmin(
    settings,
    async (admin) => {
      if (!(await speaks(admin, INCREMENTAL_ALTER_CONFIGS, 0))) {
        throw new KfeedError(
          'prerequisite',
          `broker ${brokerId} does not support IncrementalAlterConfigs (Kafka 2.3 or later)`,
          {
            hint: 'upgrade the cluster; kfeed will not use the legacy request, which deletes other overrides',
          },
        );
      }
      try {
        await admin.incrementalAlterConfigs({
          resources: [
            {
              resourceType: BROKER_RESOURCE,
              resourceName: String(brokerId),
              configs: operations.map((o) =>
                o.op === 'set'
                  ? { name: o.name, configOperation: OPERATION.set, value: o.value ?? '' }
                  : { name: o.name, configOperation: OPERATION.delete },
              ),
            },
          ],
        });
      } catch (error) {
        if (hasKafkaError(error, 'CLUSTER_AUTHORIZATION_FAILED')) {
          throw new KfeedError('denied', `broker ${brokerId} refused the config change: not authorized`, {
            hint: "the client's principal needs AlterConfigs on the cluster",
          });
        }
        // The broker's own refusal (an invalid value, a key it will not change at run time).
        const refusal = causes(error).find((e) => typeof e.apiId === 'string');
        if (refusal) {
          const reason = refusal.serverErrorMessage || refusal.apiId;
          throw new KfeedError('config', `broker ${brokerId} refused the config change: ${reason}`, {
            hint: 'nothing was changed on this broker',
          });
        }
        throw error;
      }
    },
    { retries: 1 },
  );
}

/**
 * The brokers as one listener advertises them: a metadata request to `address` only (the
 * engine's first metadata request goes to a bootstrap address, and nothing else is asked, so a
 * broker advertised at an address not reachable yet, behind a load balancer being set up, is
 * never contacted).
 */
export async function advertisedVia(
  settings: ConnectionSettings,
  address: string,
): Promise<Array<{ nodeId: number; host: string; port: number }>> {
  const one = { ...settings, brokers: [address] };
  const admin = await createAdmin(one, { retries: 0 });
  const explain = watchSocketErrors(admin);
  try {
    const metadata = await admin.metadata({ topics: [] });
    return [...metadata.brokers]
      .map(([nodeId, { host, port }]) => ({ nodeId, host, port }))
      .sort((a, b) => a.nodeId - b.nodeId);
  } catch (error) {
    throw translateKafkaError(explain(error), { brokers: [address], security: settings.security });
  } finally {
    await closeQuietly(admin);
  }
}
