import { createRequire } from 'node:module';
import type { Admin, Kafka } from 'kafkajs';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { createKafka } from './client.js';
import { translateKafkaError } from './errors.js';
import { LISTENER_KEYS, type BrokerListenerConfig, type ConfigOperation, type ListenerKey } from './listeners.js';

/** Config resource type BROKER in DescribeConfigs / AlterConfigs requests. */
const BROKER_RESOURCE = 4;
/** DescribeConfigs config source of a per-broker dynamic override. */
const DYNAMIC_BROKER_CONFIG = 2;
const INCREMENTAL_ALTER_CONFIGS = 44;

export type MetadataMode = 'zookeeper' | 'kraft' | 'unknown';

export interface BrokerListenerState extends BrokerListenerConfig {
  mode: MetadataMode;
}

interface ConfigEntry {
  configName: string;
  configValue: string | null;
  isSensitive: boolean;
  configSource?: number;
}

/**
 * Reads each broker's listener configs and tells ZooKeeper-mode brokers from KRaft ones
 * (KRaft brokers have process.roles; ZooKeeper-mode ones have zookeeper.connect).
 */
export async function readListenerConfigs(admin: Admin): Promise<BrokerListenerState[]> {
  const cluster = await admin.describeCluster();
  const names = [...LISTENER_KEYS, 'process.roles', 'zookeeper.connect'];
  const described = await admin.describeConfigs({
    resources: cluster.brokers.map((b) => ({ type: BROKER_RESOURCE, name: String(b.nodeId), configNames: names })),
    includeSynonyms: false,
  });
  return cluster.brokers
    .map((broker) => {
      const resource = described.resources.find((r) => r.resourceName === String(broker.nodeId));
      if (!resource || resource.errorCode) {
        throw new KfeedError(
          'config',
          `could not read the configs of broker ${broker.nodeId}: ${resource?.errorMessage || 'no answer'}`,
          {
            hint: 'the client needs DescribeConfigs on the cluster',
          },
        );
      }
      const entries = resource.configEntries as ConfigEntry[];
      const entry = (name: string) => entries.find((e) => e.configName === name);
      const values = Object.fromEntries(LISTENER_KEYS.map((k) => [k, entry(k)?.configValue ?? null])) as Record<
        ListenerKey,
        string | null
      >;
      const dynamic = Object.fromEntries(
        LISTENER_KEYS.map((k) => [k, entry(k)?.configSource === DYNAMIC_BROKER_CONFIG]),
      ) as Record<ListenerKey, boolean>;
      const roles = entry('process.roles')?.configValue;
      const zookeeper = entry('zookeeper.connect')?.configValue;
      const mode: MetadataMode = roles ? 'kraft' : zookeeper ? 'zookeeper' : 'unknown';
      return { brokerId: broker.nodeId, host: broker.host, values, dynamic, mode };
    })
    .sort((a, b) => a.brokerId - b.brokerId);
}

/** Every per-broker dynamic override of one broker (name -> value; sensitive ones read back as null). */
export async function brokerOverrides(admin: Admin, brokerId: number): Promise<Record<string, string | null>> {
  const described = await admin.describeConfigs({
    resources: [{ type: BROKER_RESOURCE, name: String(brokerId) }],
    includeSynonyms: false,
  });
  const entries = (described.resources[0]?.configEntries ?? []) as ConfigEntry[];
  return Object.fromEntries(
    entries
      .filter((e) => e.configSource === DYNAMIC_BROKER_CONFIG)
      .map((e) => [e.configName, e.configValue] as const)
      .sort(([a], [b]) => a.localeCompare(b)),
  );
}

// ---- IncrementalAlterConfigs (API key 44), which kafkajs 2.2.4 does not offer.
// kafkajs's legacy AlterConfigs replaces every dynamic override of a broker, so a change of
// three keys would delete the others (and sensitive ones cannot even be read back to re-send).
// This sends the incremental request through kafkajs's own connection, encoder and decoder.

interface KafkajsEncoder {
  writeInt8(v: number): KafkajsEncoder;
  writeInt16(v: number): KafkajsEncoder;
  writeString(v: string | null): KafkajsEncoder;
  writeArray(items: KafkajsEncoder[]): KafkajsEncoder;
  writeBoolean(v: boolean): KafkajsEncoder;
}
interface KafkajsDecoder {
  readInt8(): number;
  readInt16(): number;
  readInt32(): number;
  readString(): string | null;
  readArray<T>(reader: (d: KafkajsDecoder) => T): T[];
}
interface KafkajsBroker {
  versions: Record<number, { minVersion: number; maxVersion: number }> | null;
  connectionPool: { send(request: unknown): Promise<unknown> };
}
interface KafkajsCluster {
  brokerPool: { metadata?: { brokers: Array<{ nodeId: number; host: string; port: number }> } };
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  refreshMetadata(): Promise<void>;
  findBroker(query: { nodeId: string }): Promise<KafkajsBroker>;
}

const requireCjs = createRequire(import.meta.url);

/** The one kafkajs release whose private encoder, decoder and cluster factory this file was checked against. */
const KAFKAJS_VERSION = '2.2.4';

function kafkajsInternals() {
  const { version } = requireCjs('kafkajs/package.json') as { version: string };
  if (version !== KAFKAJS_VERSION) {
    throw new KfeedError(
      'internal',
      `IncrementalAlterConfigs is sent through kafkajs ${KAFKAJS_VERSION} internals, ` +
        `but kafkajs ${version} is installed`,
      {
        hint: `reinstall kfeed's dependencies (package.json pins kafkajs ${KAFKAJS_VERSION})`,
      },
    );
  }
  const Encoder = requireCjs('kafkajs/src/protocol/encoder') as new () => KafkajsEncoder;
  const Decoder = requireCjs('kafkajs/src/protocol/decoder') as new (data: Buffer) => KafkajsDecoder;
  return { Encoder, Decoder };
}

/** The cluster object kafkajs builds for its own clients, with the same TLS / SASL settings. */
function clusterOf(kafka: Kafka): KafkajsCluster {
  const symbol = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
  const create = symbol ? (kafka as unknown as Record<symbol, unknown>)[symbol] : undefined;
  if (typeof create !== 'function') {
    throw new KfeedError('internal', 'this kafkajs build has no cluster factory', {
      hint: 'kfeed needs kafkajs 2.2.x',
    });
  }
  return create({ metadataMaxAge: 0 }) as KafkajsCluster;
}

const OPERATION = { set: 0, delete: 1 } as const;

interface AlterResult {
  errorCode: number;
  errorMessage: string | null;
  resourceName: string | null;
}

/** The body of an IncrementalAlterConfigs v0 request for one broker (a kafkajs encoder). */
function incrementalAlterConfigsBody(
  Encoder: new () => KafkajsEncoder,
  brokerId: number,
  operations: ConfigOperation[],
): KafkajsEncoder {
  const configs = operations.map((o) =>
    new Encoder()
      .writeString(o.name)
      .writeInt8(OPERATION[o.op])
      .writeString(o.op === 'set' ? (o.value ?? '') : null),
  );
  const resource = new Encoder().writeInt8(BROKER_RESOURCE).writeString(String(brokerId)).writeArray(configs);
  return new Encoder().writeArray([resource]).writeBoolean(false);
}

/** The request body's bytes, as sent: for comparing with Apache Kafka's own client. */
export function encodeIncrementalAlterConfigs(brokerId: number, operations: ConfigOperation[]): Buffer {
  const { Encoder } = kafkajsInternals();
  return (incrementalAlterConfigsBody(Encoder, brokerId, operations) as unknown as { buffer: Buffer }).buffer;
}

/**
 * Sets or deletes single per-broker configs on broker `brokerId`, leaving every other
 * override as it is. The request goes to that broker, which validates it itself.
 */
export async function incrementalAlterBrokerConfigs(
  settings: ConnectionSettings,
  brokerId: number,
  operations: ConfigOperation[],
): Promise<void> {
  if (operations.length === 0) return;
  const { Encoder, Decoder } = kafkajsInternals();
  const kafka = await createKafka(settings, { retries: 1 });
  const cluster = clusterOf(kafka);
  try {
    await cluster.connect();
    await cluster.refreshMetadata();
    const broker = await cluster.findBroker({ nodeId: String(brokerId) });
    if (!broker.versions?.[INCREMENTAL_ALTER_CONFIGS]) {
      throw new KfeedError(
        'prerequisite',
        `broker ${brokerId} does not support IncrementalAlterConfigs (Kafka 2.3 or later)`,
        {
          hint: 'upgrade the cluster; kfeed will not use the legacy request, which deletes other overrides',
        },
      );
    }
    const request = {
      apiKey: INCREMENTAL_ALTER_CONFIGS,
      apiVersion: 0,
      apiName: 'IncrementalAlterConfigs',
      encode: async () => incrementalAlterConfigsBody(Encoder, brokerId, operations),
    };
    const response = {
      decode: async (raw: Buffer) => {
        const decoder = new Decoder(raw);
        decoder.readInt32(); // throttle time
        const results = decoder.readArray<AlterResult>((d) => {
          const errorCode = d.readInt16();
          const errorMessage = d.readString();
          d.readInt8();
          return { errorCode, errorMessage, resourceName: d.readString() };
        });
        return { results };
      },
      parse: async (data: { results: AlterResult[] }) => data,
    };
    const { results } = (await broker.connectionPool.send({ request, response })) as { results: AlterResult[] };
    const failed = results.find((r) => r.errorCode !== 0);
    if (failed) {
      const message = failed.errorMessage ?? `error code ${failed.errorCode}`;
      if (failed.errorCode === 31) {
        throw new KfeedError('denied', `broker ${brokerId} refused the config change: not authorized`, {
          hint: "the client's principal needs AlterConfigs on the cluster",
        });
      }
      throw new KfeedError('config', `broker ${brokerId} refused the config change: ${message}`, {
        hint: 'nothing was changed on this broker',
      });
    }
  } catch (error) {
    throw translateKafkaError(error, settings);
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}

/**
 * The brokers as one listener advertises them: a metadata request to `address` only (kafkajs's
 * admin would go on to the controller at its advertised address, which may not be reachable
 * yet while a load balancer is being set up).
 */
export async function advertisedVia(
  settings: ConnectionSettings,
  address: string,
): Promise<Array<{ nodeId: number; host: string; port: number }>> {
  const kafka = await createKafka({ ...settings, brokers: [address] }, { retries: 0 });
  const cluster = clusterOf(kafka);
  try {
    await cluster.connect();
    await cluster.refreshMetadata();
    return (cluster.brokerPool.metadata?.brokers ?? [])
      .map(({ nodeId, host, port }) => ({ nodeId, host, port }))
      .sort((a, b) => a.nodeId - b.nodeId);
  } catch (error) {
    throw translateKafkaError(error, { brokers: [address], security: settings.security });
  } finally {
    await cluster.disconnect().catch(() => undefined);
  }
}
