import type { Admin, ClusterTopicMetadata } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { send } from './engine-api.js';
import { hasKafkaError, topicDeniedError } from './errors.js';
import { poll } from '../wait.js';

/** ListOffsets' special timestamps: the log's end and its start. */
export const LATEST = -1n;
export const EARLIEST = -2n;
/** DescribeConfigs' resource type of a topic, and the config source of its own overrides. */
const TOPIC_RESOURCE = 2;

/** How this client connects, for hints on a refusal (an IAM client is told of policies, not ACLs). */
type TopicAccess = Pick<ConnectionSettings, 'files' | 'tls' | 'sasl'> & Partial<Pick<ConnectionSettings, 'iam'>>;

const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

/** Kafka's own topic-name rules, checked before asking the broker. */
export function checkTopicName(name: string): string {
  if (!TOPIC_NAME.test(name) || name === '.' || name === '..') {
    throw new KfeedError('usage', `"${name}" is not a valid topic name`, {
      hint: 'use letters, digits, ".", "_" and "-" (1 to 249 characters)',
    });
  }
  return name;
}

/** `k=v` strings -> config entries, rejecting malformed ones. */
export function parseConfigs(pairs: string[]): Array<{ name: string; value: string }> {
  return pairs.map((pair) => {
    const at = pair.indexOf('=');
    if (at <= 0)
      throw new KfeedError('usage', `"${pair}" is not a config setting`, {
        hint: 'write --config key=value, e.g. --config retention.ms=86400000',
      });
    return { name: pair.slice(0, at).trim(), value: pair.slice(at + 1).trim() };
  });
}

export interface CreateTopicInput {
  name: string;
  partitions: number;
  /** Default: as many replicas as there are brokers, at most 3. */
  replicationFactor?: number;
  configs: Array<{ name: string; value: string }>;
}

export interface CreatedTopic {
  name: string;
  partitions: number;
  replicationFactor: number;
  configs: Record<string, string>;
}

export async function createTopic(admin: Admin, input: CreateTopicInput): Promise<CreatedTopic> {
  checkTopicName(input.name);
  const brokerCount = (await brokers(admin)).length;
  const replicationFactor = input.replicationFactor ?? Math.min(3, brokerCount);
  if (replicationFactor > brokerCount) {
    throw new KfeedError(
      'usage',
      `replication factor ${replicationFactor} is larger than the ${brokerCount} broker(s) of the cluster`,
      {
        hint: `pass --replication-factor ${brokerCount} or less`,
      },
    );
  }
  try {
    await admin.createTopics({
      topics: [input.name],
      partitions: input.partitions,
      replicas: replicationFactor,
      configs: input.configs,
    });
  } catch (error) {
    if (hasKafkaError(error, 'TOPIC_ALREADY_EXISTS'))
      throw new KfeedError('conflict', `topic ${input.name} already exists`, {
        hint: 'choose another name, or delete it first with `kfeed delete-topic`',
      });
    throw error;
  }
  await waitForLeaders(admin, input.name);
  return {
    name: input.name,
    partitions: input.partitions,
    replicationFactor,
    configs: Object.fromEntries(input.configs.map((c) => [c.name, c.value])),
  };
}

/** The brokers of the cluster as its metadata lists them (id, host, port), by id. */
export async function brokers(admin: Admin): Promise<Array<{ nodeId: number; host: string; port: number }>> {
  const metadata = await admin.metadata({ topics: [], forceUpdate: true });
  return [...metadata.brokers]
    .map(([nodeId, b]) => ({ nodeId, host: b.host, port: b.port }))
    .sort((a, b) => a.nodeId - b.nodeId);
}

/** A topic's metadata asked afresh (the engine caches metadata for a few seconds). */
export async function topicMetadataOf(admin: Admin, topic: string): Promise<ClusterTopicMetadata> {
  const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
  const found = metadata.topics.get(topic);
  if (!found) throw new KfeedError('notFound', `topic ${topic} does not exist`);
  return found;
}

/** Each partition's log start and end (ListOffsets with the earliest and latest timestamps). */
export async function logRanges(
  admin: Admin,
  topic: string,
  partitions: number[],
): Promise<Map<number, { low: string; high: string }>> {
  const ask = (timestamp: bigint) =>
    admin.listOffsets({
      topics: [{ name: topic, partitions: partitions.map((partitionIndex) => ({ partitionIndex, timestamp })) }],
    });
  const [low, high] = await Promise.all([ask(EARLIEST), ask(LATEST)]);
  const ranges = new Map<number, { low: string; high: string }>();
  for (const p of low[0]?.partitions ?? []) ranges.set(p.partitionIndex, { low: String(p.offset), high: '0' });
  for (const p of high[0]?.partitions ?? [])
    ranges.set(p.partitionIndex, { low: ranges.get(p.partitionIndex)?.low ?? '0', high: String(p.offset) });
  return ranges;
}

/**
 * Waits until the metadata names a leader for every partition of a topic just created. Kafka 4.x
 * brokers answer "unknown topic" until their metadata has it (3.9 said "leader not available").
 */
async function waitForLeaders(admin: Admin, topic: string, timeoutMs = 15_000): Promise<void> {
  await poll(
    async () => {
      const partitions = (await topicMetadataOf(admin, topic)).partitions;
      return partitions.length > 0 && partitions.every((p) => p.leader >= 0) ? true : undefined;
    },
    {
      what: `the partitions of topic ${topic} to have leaders`,
      timeoutMs,
      intervalMs: 100,
      onTimeout: (last) =>
        new KfeedError(
          'connection',
          `topic ${topic} was created, but its partitions had no leader within ${timeoutMs / 1000} s`,
          {
            hint:
              `check it with \`kfeed describe-topic ${topic}\`` +
              (last instanceof Error ? ` (last answer: ${last.message})` : ''),
          },
        ),
    },
  );
}

/**
 * Fails with one line naming every topic of `topics` that the cluster does not list (a topic
 * this client may not describe is left out of the list, so it looks missing too).
 */
export async function requireTopics(admin: Admin, topics: string[], access?: TopicAccess): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  // The list leaves out topics this client may not describe; asked by name, Kafka says so.
  for (const topic of missing) {
    const refused = await admin.metadata({ topics: [topic], forceUpdate: true }).then(
      () => false,
      (error: unknown) => hasKafkaError(error, 'TOPIC_AUTHORIZATION_FAILED'),
    );
    if (refused) throw topicDeniedError(topic, access);
  }
  if (missing.length) {
    const one = missing.length === 1;
    throw new KfeedError(
      'notFound',
      `${one ? `topic ${missing[0]} does not exist` : `topics ${missing.join(', ')} do not exist`} ` +
        `(or this client may not describe ${one ? 'it' : 'them'})`,
      {
        hint: `create ${one ? 'it' : 'them'}: ${missing.map((t) => `kfeed create-topic ${t}`).join('; ')}`,
      },
    );
  }
}

/** Creates those of `names` that do not exist yet, with `partitions` each; returns the names it created. */
export async function ensureTopics(admin: Admin, names: string[], partitions: number): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const created: string[] = [];
  for (const name of names) {
    if (existing.has(name)) continue;
    await createTopic(admin, { name, partitions, configs: [] });
    created.push(name);
  }
  return created;
}

/**
 * Creates a topic kfeed keeps for itself when it does not exist yet: `partitions` partitions,
 * replicated like the cluster (at most 3 replicas, min.insync.replicas at most 2), and these
 * configs. Another operator creating it at the same moment is fine.
 */
export async function ensureTopic(
  admin: Admin,
  name: string,
  options: { partitions: number; configs: Array<{ name: string; value: string }> },
): Promise<void> {
  if ((await admin.listTopics()).includes(name)) return;
  const replicationFactor = Math.min(3, (await brokers(admin)).length);
  const configs = [...options.configs, { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) }];
  try {
    await createTopic(admin, { name, partitions: options.partitions, replicationFactor, configs });
  } catch (error) {
    if (!(error instanceof KfeedError && error.kind === 'conflict')) throw error;
  }
}

export interface TopicSummary {
  name: string;
  partitions: number;
  replicationFactor: number;
  internal: boolean;
}

export async function listTopics(admin: Admin, options: { includeInternal?: boolean } = {}): Promise<TopicSummary[]> {
  // Metadata of every topic, internal ones included (the engine's metadata cache drops those).
  const { metadataV12 } = await import('@platformatic/kafka');
  const metadata = await send(admin, metadataV12.api, undefined, null, false, false);
  return metadata.topics
    .filter((t) => t.name && t.errorCode === 0)
    .map((t) => ({
      name: t.name!,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicaNodes.length ?? 0,
      internal: t.isInternal || t.name!.startsWith('__'),
    }))
    .filter((t) => options.includeInternal || !t.internal)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export interface TopicDescription {
  name: string;
  partitions: Array<{
    partition: number;
    leader: number;
    replicas: number[];
    isr: number[];
    offline: number[];
    low: string;
    high: string;
  }>;
  /** Null when the client is not allowed to describe the topic's configs. */
  configs: Array<{ name: string; value: string | null; source: string; sensitive: boolean }> | null;
}

const CONFIG_SOURCES: Record<number, string> = {
  0: 'unknown',
  1: 'topic',
  2: 'dynamic broker',
  3: 'dynamic default broker',
  4: 'static broker',
  5: 'default',
  6: 'dynamic broker logger',
};

/**
 * Asks for the topic's metadata, which tells "no such topic" from "not allowed to see it"
 * (a topic list silently leaves out topics the client may not describe).
 */
async function describedTopic(admin: Admin, name: string, access?: TopicAccess): Promise<ClusterTopicMetadata> {
  try {
    return await topicMetadataOf(admin, name);
  } catch (error) {
    if (hasKafkaError(error, 'TOPIC_AUTHORIZATION_FAILED')) {
      // IAM policies, not ACLs, decide for an IAM client: its hint names the policy.
      if (access?.iam) throw topicDeniedError(name, access, error);
      throw new KfeedError('denied', `not authorized to describe topic ${name}`, {
        hint: "grant this client's principal a role on it with `kfeed acl grant`",
      });
    }
    if (isUnknownTopic(error))
      throw new KfeedError('notFound', `topic ${name} does not exist`, {
        hint: 'list topics with `kfeed list-topics`',
      });
    throw error;
  }
}

/** The engine's answer for a topic its metadata does not have, or the broker's. */
export function isUnknownTopic(error: unknown): boolean {
  if (error instanceof KfeedError) return error.kind === 'notFound';
  const message = (error as { message?: string } | undefined)?.message ?? '';
  return /^Unknown topic /.test(message) || hasKafkaError(error, 'UNKNOWN_TOPIC_OR_PARTITION', 'UNKNOWN_TOPIC_ID');
}

export async function describeTopic(admin: Admin, name: string, access?: TopicAccess): Promise<TopicDescription> {
  checkTopicName(name);
  const metadata = await describedTopic(admin, name, access);
  const ids = metadata.partitions.map((_, partition) => partition);
  const [ranges, configs] = await Promise.all([
    logRanges(admin, name, ids),
    // Clients with a producer or consumer role may not read configs; show the rest anyway.
    admin
      .describeConfigs({ resources: [{ resourceType: TOPIC_RESOURCE, resourceName: name }], includeSynonyms: false })
      .catch((error: unknown) => {
        if (hasKafkaError(error, 'TOPIC_AUTHORIZATION_FAILED', 'CLUSTER_AUTHORIZATION_FAILED')) return null;
        throw error;
      }),
  ]);
  const entries = configs?.[0]?.configs ?? [];
  return {
    name,
    partitions: metadata.partitions.map((p, partition) => ({
      partition,
      leader: p.leader,
      replicas: p.replicas,
      isr: p.isr,
      offline: p.offlineReplicas ?? [],
      low: ranges.get(partition)?.low ?? '0',
      high: ranges.get(partition)?.high ?? '0',
    })),
    // Only the topic's own overrides, as `kafka-topics --describe` shows.
    configs:
      configs === null
        ? null
        : entries
            .filter((e) => e.configSource === 1)
            .map((e) => ({
              name: e.name,
              value: e.value ?? null,
              source: CONFIG_SOURCES[e.configSource] ?? 'unknown',
              sensitive: e.isSensitive,
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function deleteTopic(admin: Admin, name: string, access?: TopicAccess): Promise<void> {
  checkTopicName(name);
  await describedTopic(admin, name, access);
  await admin.deleteTopics({ topics: [name] });
}
