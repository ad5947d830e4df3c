import type { Admin } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { appendRecords, readWholeTopic } from '../kafka/records.js';
import { ensureTopic } from '../kafka/topics.js';
import type { SubscriberQuota } from './quota.js';

/**
 * The subscriber registry lives in the cluster, so every operator sees the same list: a
 * compacted topic keyed by subscriber name whose latest value is the subscriber's record.
 * A removed subscriber keeps a record (state `removed`); a name used again (`--reuse-name`)
 * gets a new generation that names the earlier ones. Every change is also appended to the
 * history topic (history.ts), which is never compacted. Only a failed first `add` that had
 * written its record takes it back with a tombstone.
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
  /** Whom to tell about renewals (an e-mail address), when the provider recorded one. */
  contact?: string;
  /** The brokers its bundle names (`--bootstrap` at add): a renewed bundle names them again. */
  bootstrap?: string[];
  certificates: SubscriberCertificate[];
  createdAt: string;
  createdBy: string;
  updatedAt: string;
  updatedBy: string;
  removedAt?: string;
  removedBy?: string;
  /** 1 when absent; a name used again after its removal (`--reuse-name`) counts up. */
  generation?: number;
  /** The earlier generations of this name: who they were, so a removed principal is never forgotten. */
  previousGenerations?: PreviousGeneration[];
  /** Set while the subscriber is suspended (its ACLs deleted, everything else kept). */
  suspended?: Suspension;
  /** The quota kfeed set on its principal (the cluster holds the values in force). */
  quota?: SubscriberQuota;
}

/** Who suspended a subscriber, when, and why. */
export interface Suspension {
  at: string;
  by: string;
  reason?: string;
}

/** What a record keeps of an earlier, removed generation of its name (the history has the rest). */
export interface PreviousGeneration {
  generation: number;
  principal: string;
  auth?: 'mtls' | 'iam';
  createdAt: string;
  removedAt: string;
  removedBy: string;
}

export function generationOf(record: SubscriberRecord): number {
  return record.generation ?? 1;
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

/** Loosely an e-mail address: something@domain.tld, no spaces; the mailer decides the rest. */
const CONTACT = /^[^\s@]+@[^\s@]+\.[^\s@.]+$/;

export function checkContact(contact: string): string {
  if (!CONTACT.test(contact) || contact.length > 254) {
    throw new KfeedError('usage', `"${contact}" is not an e-mail address`, {
      hint: 'pass --contact name@example.com, or leave it out (it is optional)',
    });
  }
  return contact;
}

const GROUP_PREFIX = /^[A-Za-z0-9._-]{1,249}$/;

/**
 * A subscriber's consumer groups start with its prefix: never empty, never a wildcard (either
 * would let it use every group of the cluster, other subscribers' included).
 */
export function checkGroupPrefix(prefix: string): string {
  if (!GROUP_PREFIX.test(prefix)) {
    throw new KfeedError('usage', `"${prefix}" is not a valid group prefix`, {
      hint:
        'use 1-249 letters, digits, ".", "_" or "-" (no "*": its groups are its own), ' +
        'or leave out --group-prefix for NAME-',
    });
  }
  return prefix;
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
  if (data.contact !== undefined && typeof data.contact !== 'string')
    throw registryDamaged(topic, key, 'contact is not text');
  if (
    data.bootstrap !== undefined &&
    !(Array.isArray(data.bootstrap) && data.bootstrap.every((b) => typeof b === 'string'))
  )
    throw registryDamaged(topic, key, 'bootstrap is not a list of brokers');
  if (data.generation !== undefined && !(Number.isInteger(data.generation) && data.generation >= 1))
    throw registryDamaged(topic, key, `generation ${String(data.generation)} is not a whole number from 1`);
  if (
    data.previousGenerations !== undefined &&
    !(
      Array.isArray(data.previousGenerations) &&
      data.previousGenerations.every((g) => typeof g?.principal === 'string' && Number.isInteger(g?.generation))
    )
  )
    throw registryDamaged(topic, key, 'previousGenerations is not a list of generations');
  if (
    data.suspended !== undefined &&
    !(typeof data.suspended?.at === 'string' && typeof data.suspended?.by === 'string')
  )
    throw registryDamaged(topic, key, 'suspended does not say when and by whom');
  if (
    data.quota !== undefined &&
    !(
      typeof data.quota === 'object' &&
      data.quota !== null &&
      Object.values(data.quota).every((v) => typeof v === 'number' && v > 0)
    )
  )
    throw registryDamaged(topic, key, 'quota is not a set of positive numbers');
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

export function isSuspended(record: SubscriberRecord): boolean {
  return record.suspended !== undefined && !isRemoved(record);
}

/**
 * Creates the registry topic on first use: one partition (the registry is small and read
 * whole), compacted (the latest record per name is what counts), replicated like the cluster.
 */
export async function ensureRegistryTopic(admin: Admin, topic: string): Promise<void> {
  await ensureTopic(admin, topic, { partitions: 1, configs: [{ name: 'cleanup.policy', value: 'compact' }] });
}

/** Reads the whole registry: the latest record per name (a tombstone takes a name back out). */
export async function readRegistry(
  settings: ConnectionSettings,
  topic: string,
  signal?: AbortSignal,
): Promise<Map<string, SubscriberRecord>> {
  const records = new Map<string, SubscriberRecord>();
  for (const { key, value } of await readWholeTopic(settings, topic, {
    signal,
    describe: `the subscriber registry ${topic}`,
  })) {
    if (!key) continue;
    if (value === null) records.delete(key);
    else records.set(key, parseSubscriberRecord(key, value, topic));
  }
  return records;
}

/** Writes one record (acks=all, idempotent): the registry's commit point for every change. */
export async function writeRegistryRecord(
  settings: ConnectionSettings,
  topic: string,
  record: SubscriberRecord,
): Promise<void> {
  await appendRecords(settings, topic, [{ key: record.name, value: JSON.stringify(record) }]);
}

/**
 * Puts the registry back as it was before a change that failed later: the earlier record, or a
 * tombstone when the name had none (a failed first `add`).
 */
export async function restoreRegistryRecord(
  settings: ConnectionSettings,
  topic: string,
  name: string,
  previous: SubscriberRecord | undefined,
): Promise<void> {
  await appendRecords(settings, topic, [{ key: name, value: previous ? JSON.stringify(previous) : null }]);
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
