import type { Admin } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { baseOptions, closeQuietly, engine, withAdmin } from '../kafka/client.js';
import { hasKafkaError } from '../kafka/errors.js';
import { GrouplessReader, positionKey } from '../kafka/read.js';
import { brokers, createTopic, logRanges } from '../kafka/topics.js';

/**
 * The subscriber registry lives in the cluster, so every operator sees the same list: a
 * compacted topic keyed by subscriber name whose latest value is the subscriber's record.
 * A removed subscriber keeps a record (state `removed`) for audit; nothing is ever tombstoned.
 */
export const DEFAULT_REGISTRY_TOPIC = '_kfeed_subscribers';
export const RECORD_FORMAT = 1;

export const SUBSCRIBER_ROLES = ['consumer', 'producer'] as const;
export type SubscriberRole = (typeof SUBSCRIBER_ROLES)[number];

export interface SubscriberCertificate {
  /** Hex, lower case, as `kfeed cert inspect` shows it. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  fingerprintSha256: string;
  /** The CA: an AWS Private CA ARN, or the local CA's folder. */
  ca: string;
  certificateArn?: string;
  issuedAt: string;
  revokedAt?: string;
  revocationReason?: string;
}

export interface SubscriberRecord {
  format: typeof RECORD_FORMAT;
  name: string;
  principal: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  /** How the client authenticates: a certificate (mTLS, the default) or IAM (an AWS principal ARN). */
  auth?: 'mtls' | 'iam';
  /** IAM subscribers: the MSK cluster their policy names. */
  clusterArn?: string;
  certificates: SubscriberCertificate[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  removedAt?: string;
  removedBy?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;

export function checkSubscriberName(name: string): string {
  if (!NAME.test(name)) {
    throw new KfeedError('usage', `"${name}" is not a valid subscriber name`, {
      hint: 'use 1-100 letters, digits, ".", "_" or "-", starting with a letter or digit',
    });
  }
  return name;
}

/** Parses and checks one registry value; a record kfeed cannot read is named, never guessed at. */
export function parseSubscriberRecord(key: string, value: string, topic: string): SubscriberRecord {
  let data: Partial<SubscriberRecord>;
  try {
    data = JSON.parse(value) as Partial<SubscriberRecord>;
  } catch {
    throw registryDamaged(topic, key, 'it is not JSON');
  }
  if (data.format !== RECORD_FORMAT)
    throw registryDamaged(topic, key, `format ${String(data.format)} is not ${RECORD_FORMAT}`);
  const strings = ['name', 'principal', 'groupPrefix', 'createdAt', 'createdBy', 'updatedAt', 'updatedBy'] as const;
  for (const field of strings)
    if (typeof data[field] !== 'string') throw registryDamaged(topic, key, `${field} is missing`);
  if (data.name !== key) throw registryDamaged(topic, key, `its name is ${data.name}`);
  if (data.auth !== undefined && data.auth !== 'mtls' && data.auth !== 'iam')
    throw registryDamaged(topic, key, `auth ${String(data.auth)} is unknown`);
  if (!SUBSCRIBER_ROLES.includes(data.role as SubscriberRole))
    throw registryDamaged(topic, key, `role ${String(data.role)} is unknown`);
  if (!Array.isArray(data.topics) || !data.topics.every((t) => typeof t === 'string'))
    throw registryDamaged(topic, key, 'topics is not a list');
  if (!Array.isArray(data.certificates)) throw registryDamaged(topic, key, 'certificates is not a list');
  return data as SubscriberRecord;
}

function registryDamaged(topic: string, key: string, why: string): KfeedError {
  return new KfeedError('verification', `the registry record for "${key}" in ${topic} cannot be read: ${why}`, {
    hint:
      'it was not written by this version of kfeed; inspect it with `kfeed consume ' +
      topic +
      ' --from-beginning -f json -e`',
  });
}

export function isRemoved(record: SubscriberRecord): boolean {
  return record.removedAt !== undefined;
}

/**
 * Creates the registry topic on first use: one partition (the registry is small and read
 * whole), compacted (the latest record per name is what counts), replicated like the cluster.
 */
export async function ensureRegistryTopic(admin: Admin, topic: string): Promise<void> {
  const existing = new Set(await admin.listTopics());
  if (existing.has(topic)) return;
  const replicationFactor = Math.min(3, (await brokers(admin)).length);
  await createTopic(admin, {
    name: topic,
    partitions: 1,
    replicationFactor,
    configs: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
    ],
  });
}

/** Bytes asked per partition and Fetch while reading the registry. */
const REGISTRY_FETCH_BYTES = 1024 * 1024;

/**
 * Reads the whole registry: the latest record per name. No consumer group: the partitions are
 * read from their log start to the end they had when the read began (ListOffsets, then Fetch),
 * and nothing is committed, so reading leaves no group behind.
 */
export async function readRegistry(
  settings: ConnectionSettings,
  topic: string,
  signal?: AbortSignal,
): Promise<Map<string, SubscriberRecord>> {
  const ranges = await withAdmin(settings, async (admin) => {
    if (!(await admin.listTopics()).includes(topic)) return undefined;
    const metadata = await admin.metadata({ topics: [topic], forceUpdate: true });
    const partitions = metadata.topics.get(topic)?.partitions.map((_, partition) => partition) ?? [];
    return logRanges(admin, topic, partitions);
  });
  const records = new Map<string, SubscriberRecord>();
  if (!ranges) return records;
  const next = new Map([...ranges].map(([partition, r]) => [partition, BigInt(r.low)]));
  const end = new Map([...ranges].map(([partition, r]) => [partition, BigInt(r.high)]));
  const reader = await GrouplessReader.open(settings);
  const deadline = Date.now() + 30_000;
  try {
    for (;;) {
      const pending = [...next].filter(([partition, offset]) => offset < end.get(partition)!);
      if (pending.length === 0) return records;
      if (Date.now() > deadline) throw registryTimeout(topic);
      const fetched = await reader.fetch(
        pending.map(([partition, offset]) => ({ topic, partition, offset })),
        REGISTRY_FETCH_BYTES,
        signal,
      );
      for (const record of fetched.records) {
        if (record.offset >= end.get(record.partition)!) continue;
        next.set(record.partition, record.offset + 1n);
        const key = record.key?.toString('utf8');
        if (!key || !record.value) continue;
        records.set(key, parseSubscriberRecord(key, record.value.toString('utf8'), topic));
      }
      // Answered with no record before the end: the rest was compacted away (or is transaction markers).
      for (const [partition, offset] of pending) {
        if (fetched.answered.has(positionKey(topic, partition)) && next.get(partition) === offset)
          next.set(partition, end.get(partition)!);
      }
    }
  } finally {
    await reader.close();
  }
}

function registryTimeout(topic: string): KfeedError {
  return new KfeedError('connection', `the subscriber registry ${topic} could not be read within 30 s`, {
    hint:
      'check that this client may read it (an admin connection) and that its partition has a leader ' +
      '(`kfeed topic describe ' +
      topic +
      '`)',
  });
}

/** Writes one record (acks=all, idempotent): the registry's commit point for every change. */
export async function writeRegistryRecord(
  settings: ConnectionSettings,
  topic: string,
  record: SubscriberRecord,
): Promise<void> {
  const { Producer } = await engine();
  const producer = new Producer({ ...(await baseOptions(settings, { clientId: 'kfeed-registry' })), idempotent: true });
  try {
    await producer.send({
      acks: -1,
      messages: [{ topic, key: Buffer.from(record.name), value: Buffer.from(JSON.stringify(record)) }],
    });
  } catch (error) {
    if (hasKafkaError(error, 'MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE')) {
      throw new KfeedError('config', `the registry topic ${topic} refused the record for ${record.name} as too large`, {
        hint:
          `raise its max.message.bytes (the record is ${JSON.stringify(record).length} bytes), ` +
          'or name another --registry-topic',
        cause: error,
      });
    }
    throw error;
  } finally {
    await closeQuietly(producer);
  }
}

/** Who makes a change, as the registry records it: the connection's own Kafka principal. */
export function operatorPrincipal(
  settings: { tls?: { cert?: string }; sasl?: { username: string } },
  principalOfCertificate: (pem: string) => string,
): string {
  if (settings.sasl) return `User:${settings.sasl.username}`;
  if (settings.tls?.cert) return principalOfCertificate(settings.tls.cert);
  return 'User:ANONYMOUS';
}
