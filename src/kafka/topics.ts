import type { Admin, ITopicConfig } from 'kafkajs';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { topicDeniedError } from './errors.js';
import { poll } from '../wait.js';

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
  const cluster = await admin.describeCluster();
  const brokerCount = cluster.brokers.length;
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
  const topic: ITopicConfig = {
    topic: input.name,
    numPartitions: input.partitions,
    replicationFactor,
    configEntries: input.configs,
  };
  const created = await admin.createTopics({ topics: [topic], waitForLeaders: false, timeout: 15000 });
  // kafkajs reports an existing topic as `false` rather than as an error.
  if (!created)
    throw new KfeedError('conflict', `topic ${input.name} already exists`, {
      hint: 'choose another name, or delete it first with `kfeed delete-topic`',
    });
  await waitForLeaders(admin, input.name);
  return {
    name: input.name,
    partitions: input.partitions,
    replicationFactor,
    configs: Object.fromEntries(input.configs.map((c) => [c.name, c.value])),
  };
}

/**
 * Waits until the metadata names a leader for every partition of a topic just created. Kafka 4.x
 * brokers answer "unknown topic" until their metadata has it (3.9 said "leader not available"),
 * and kafkajs's own wait (`waitForLeaders`) gives up at the first "unknown topic".
 */
async function waitForLeaders(admin: Admin, topic: string, timeoutMs = 15_000): Promise<void> {
  await poll(
    async () => {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = metadata.topics.find((t) => t.name === topic)?.partitions ?? [];
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
export async function requireTopics(
  admin: Admin,
  topics: string[],
  access?: Pick<ConnectionSettings, 'files' | 'tls' | 'sasl'> & Partial<Pick<ConnectionSettings, 'iam'>>,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t));
  // The list leaves out topics this client may not describe; asked by name, Kafka says so.
  for (const topic of missing) {
    const refused = await admin.fetchTopicMetadata({ topics: [topic] }).then(
      () => false,
      (error) => (error as { type?: string }).type === 'TOPIC_AUTHORIZATION_FAILED',
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
  const brokers = (await admin.describeCluster()).brokers.length;
  const replicationFactor = Math.min(3, brokers);
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
  const names = (await admin.listTopics()).sort();
  if (names.length === 0) return [];
  const metadata = await admin.fetchTopicMetadata({ topics: names });
  return metadata.topics
    .map((t) => ({
      name: t.name,
      partitions: t.partitions.length,
      replicationFactor: t.partitions[0]?.replicas.length ?? 0,
      internal: t.name.startsWith('__'),
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
async function topicMetadata(admin: Admin, name: string) {
  try {
    return await admin.fetchTopicMetadata({ topics: [name] });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'UNKNOWN_TOPIC_OR_PARTITION')
      throw new KfeedError('notFound', `topic ${name} does not exist`, {
        hint: 'list topics with `kfeed list-topics`',
      });
    if (type === 'TOPIC_AUTHORIZATION_FAILED') {
      throw new KfeedError('denied', `not authorized to describe topic ${name}`, {
        hint: "grant this client's principal a role on it with `kfeed acl grant`",
      });
    }
    throw error;
  }
}

export async function describeTopic(admin: Admin, name: string): Promise<TopicDescription> {
  checkTopicName(name);
  const metadata = await topicMetadata(admin, name);
  const [offsets, configs] = await Promise.all([
    admin.fetchTopicOffsets(name),
    // Clients with a producer or consumer role may not read configs; show the rest anyway.
    admin.describeConfigs({ resources: [{ type: 2 /* TOPIC */, name }], includeSynonyms: false }).catch((error) => {
      if (/AUTHORIZATION_FAILED/.test((error as { type?: string }).type ?? '')) return null;
      throw error;
    }),
  ]);
  const byPartition = new Map(offsets.map((o) => [o.partition, o]));
  const entries = configs?.resources[0]?.configEntries ?? [];
  return {
    name,
    partitions: metadata.topics[0].partitions
      .map((p) => ({
        partition: p.partitionId,
        leader: p.leader,
        replicas: p.replicas,
        isr: p.isr,
        offline: p.offlineReplicas ?? [],
        low: byPartition.get(p.partitionId)?.low ?? '0',
        high: byPartition.get(p.partitionId)?.high ?? '0',
      }))
      .sort((a, b) => a.partition - b.partition),
    // Only the topic's own overrides, as `kafka-topics --describe` shows.
    configs:
      configs === null
        ? null
        : entries
            .filter((e) => (e as { configSource?: number }).configSource === 1)
            .map((e) => ({
              name: e.configName,
              value: e.configValue,
              source: CONFIG_SOURCES[(e as { configSource?: number }).configSource ?? 0] ?? 'unknown',
              sensitive: e.isSensitive,
            }))
            .sort((a, b) => a.name.localeCompare(b.name)),
  };
}

export async function deleteTopic(admin: Admin, name: string): Promise<void> {
  checkTopicName(name);
  await topicMetadata(admin, name);
  await admin.deleteTopics({ topics: [name], timeout: 15000 });
}
