import crypto from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import { KfeedError } from '../errors.js';
import { abortable } from '../wait.js';

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
  const brokers = (await admin.describeCluster()).brokers.length;
  const replicationFactor = Math.min(3, brokers);
  await admin.createTopics({
    waitForLeaders: true,
    topics: [
      {
        topic,
        numPartitions: 1,
        replicationFactor,
        configEntries: [
          { name: 'cleanup.policy', value: 'compact' },
          { name: 'min.insync.replicas', value: String(Math.min(2, replicationFactor)) },
        ],
      },
    ],
  });
}

/**
 * Reads the whole registry: the latest record per name. A consumer with a group of its own
 * that commits nothing reads the topic once; Kafka forgets such a group when it leaves.
 */
export async function readRegistry(
  kafka: Kafka,
  topic: string,
  signal?: AbortSignal,
): Promise<Map<string, SubscriberRecord>> {
  const admin = kafka.admin();
  await admin.connect();
  let end: bigint;
  try {
    if (!(await admin.listTopics()).includes(topic)) return new Map();
    const offsets = await admin.fetchTopicOffsets(topic);
    end = offsets.reduce((sum, o) => (BigInt(o.high) > sum ? BigInt(o.high) : sum), 0n);
    if (offsets.every((o) => o.high === o.low)) return new Map();
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  const records = new Map<string, SubscriberRecord>();
  const consumer = kafka.consumer({ groupId: `kfeed-registry-reader-${crypto.randomUUID()}`, maxWaitTimeInMs: 100 });
  let settle!: (error?: unknown) => void;
  let timer: NodeJS.Timeout | undefined;
  const finished = new Promise<void>((resolve, reject) => (settle = (error) => (error ? reject(error) : resolve())));
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        try {
          for (const message of batch.messages) {
            const key = message.key?.toString('utf8');
            if (!key || !message.value) continue;
            records.set(key, parseSubscriberRecord(key, message.value.toString('utf8'), topic));
          }
          const last = batch.messages[batch.messages.length - 1];
          if (last && BigInt(last.offset) + 1n >= end) settle();
        } catch (error) {
          settle(error);
        }
      },
    });
    timer = setTimeout(() => settle(registryTimeout(topic)), 30_000);
    await abortable(finished, signal);
  } finally {
    clearTimeout(timer);
    await consumer.disconnect().catch(() => undefined);
  }
  return records;
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
export async function writeRegistryRecord(kafka: Kafka, topic: string, record: SubscriberRecord): Promise<void> {
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages: [{ key: record.name, value: JSON.stringify(record) }] });
  } catch (error) {
    const type = (error as { type?: string }).type ?? (error as { cause?: { type?: string } }).cause?.type;
    if (type === 'MESSAGE_TOO_LARGE' || type === 'RECORD_LIST_TOO_LARGE') {
      throw new KfeedError('config', `the registry topic ${topic} refused the record for ${record.name} as too large`, {
        hint:
          `raise its max.message.bytes (the record is ${JSON.stringify(record).length} bytes), ` +
          'or name another --registry-topic',
        cause: error,
      });
    }
    throw error;
  } finally {
    await producer.disconnect().catch(() => undefined);
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
