import type { Admin } from '@platformatic/kafka';
import { KfeedError } from '../errors.js';
import {
  alterUserQuota,
  describeUserQuota,
  quotaUndo,
  quotaUserOf,
  type QuotaKey,
  type UserQuota,
  type UserQuotaChange,
} from '../kafka/quotas.js';
import type { SubscriberRecord, SubscriberRole } from './registry.js';
import type { Transaction } from './transaction.js';

/**
 * A subscriber's quota, as kfeed speaks of it: a byte rate (a consumer's fetches, a producer's
 * produce requests) and a share of the brokers' request-handling time, both per broker.
 */
export interface SubscriberQuota {
  maxBytesPerSecond?: number;
  maxRequestPercent?: number;
}

/** What to change: a number sets, null removes, absent leaves as it is. */
export interface SubscriberQuotaChange {
  maxBytesPerSecond?: number | null;
  maxRequestPercent?: number | null;
}

const UNITS: Record<string, number> = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** `N`, `N KiB`, `N MiB` or `N GiB` (binary units, case-insensitive) as a whole number of bytes from 1. */
export function parseByteRate(text: string, flag = '--max-bytes-per-second'): number {
  const match = /^(\d+(?:\.\d+)?)\s*([A-Za-z]*)$/.exec(text.trim());
  const refuse = (why: string) =>
    new KfeedError('usage', `${flag} ${JSON.stringify(text)}: ${why}`, {
      hint: 'write bytes per second as a whole number, or with KiB, MiB or GiB (e.g. 512KiB, 2MiB)',
    });
  if (!match) throw refuse('not a positive number of bytes');
  const unit = match[2].toLowerCase() || 'b';
  if (!(unit in UNITS)) throw refuse(`"${match[2]}" is not a unit kfeed knows`);
  const bytes = Number(match[1]) * UNITS[unit];
  if (!Number.isSafeInteger(bytes)) throw refuse('not a whole number of bytes');
  if (bytes < 1) throw refuse('a quota of 0 stops the client: suspend it instead');
  return bytes;
}

/** A share of one broker's request-handling threads, in percent (200 is two threads' time). */
export function parseRequestPercent(text: string, flag = '--max-request-percent'): number {
  const value = /^\d+(?:\.\d+)?$/.test(text.trim()) ? Number(text) : NaN;
  if (!(value > 0 && value <= 10_000)) {
    throw new KfeedError('usage', `${flag} ${JSON.stringify(text)} is not a percentage above 0`, {
      hint: 'e.g. 25 (a quarter of one request thread per quota window), up to 10000',
    });
  }
  return value;
}

/** The Kafka quota key of a role's byte rate: a consumer's fetches or a producer's writes. */
/** A `subscriber set` must change something: refused before any connection is made. */
export function requireQuotaChange(change: SubscriberQuotaChange): void {
  if (change.maxBytesPerSecond === undefined && change.maxRequestPercent === undefined) {
    throw new KfeedError('usage', 'nothing to set', {
      hint: 'pass --max-bytes-per-second N[KiB|MiB], --max-request-percent P, or their --no- forms',
    });
  }
}

export function byteRateKey(role: SubscriberRole): QuotaKey {
  return role === 'consumer' ? 'consumer_byte_rate' : 'producer_byte_rate';
}

/** The Kafka quota change of a subscriber quota change. */
export function userQuotaChange(role: SubscriberRole, change: SubscriberQuotaChange): UserQuotaChange {
  return {
    ...(change.maxBytesPerSecond !== undefined ? { [byteRateKey(role)]: change.maxBytesPerSecond } : {}),
    ...(change.maxRequestPercent !== undefined ? { request_percentage: change.maxRequestPercent } : {}),
  };
}

/** What the cluster holds for the subscriber, in kfeed's terms (null: no quota of that kind). */
export function subscriberQuotaOf(role: SubscriberRole, quota: UserQuota): QuotaInForce {
  return { maxBytesPerSecond: quota[byteRateKey(role)] ?? null, maxRequestPercent: quota.request_percentage ?? null };
}

/** The record's quota after a change (undefined when nothing is left). */
export function appliedQuota(
  quota: SubscriberQuota | undefined,
  change: SubscriberQuotaChange,
): SubscriberQuota | undefined {
  const next: SubscriberQuota = { ...quota };
  for (const key of ['maxBytesPerSecond', 'maxRequestPercent'] as const) {
    if (change[key] === null) delete next[key];
    else if (change[key] !== undefined) next[key] = change[key];
  }
  return Object.keys(next).length ? next : undefined;
}

/** A byte rate for people: whole MiB or KiB when it is one, else bytes. */
export function byteRateText(bytes: number): string {
  if (bytes >= 1024 ** 2 && bytes % 1024 ** 2 === 0) return `${bytes / 1024 ** 2} MiB/s`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB/s`;
  return `${bytes} B/s`;
}

/** A quota for people, e.g. "512 KiB/s, 25 % request time"; "none" without one. */
export function quotaText(quota: { maxBytesPerSecond?: number | null; maxRequestPercent?: number | null }): string {
  const parts = [
    ...(quota.maxBytesPerSecond ? [byteRateText(quota.maxBytesPerSecond)] : []),
    ...(quota.maxRequestPercent ? [`${quota.maxRequestPercent} % request time`] : []),
  ];
  return parts.length ? parts.join(', ') : 'none';
}

/** Quotas are set on Kafka user principals: an IAM client's principal changes with every session. */
export function checkQuotaAllowed(record: Pick<SubscriberRecord, 'name' | 'auth' | 'principal'>): void {
  if (record.auth === 'iam') {
    throw new KfeedError('usage', `subscriber ${record.name} connects with IAM: kfeed sets quotas on mTLS principals`, {
      hint: `set a quota on the user entity MSK sees for ${record.principal} with your own tooling`,
    });
  }
}

/**
 * Applies a quota change to the subscriber's principal as the step `quota`; if a later step
 * fails, the values it held before are put back.
 */
export async function quotaStep(
  tx: Transaction,
  admin: Admin,
  principal: string,
  role: SubscriberRole,
  change: SubscriberQuotaChange,
): Promise<void> {
  const user = quotaUserOf(principal);
  const kafkaChange = userQuotaChange(role, change);
  if (!Object.keys(kafkaChange).length) return;
  const before = await describeUserQuota(admin, user);
  await tx.step(
    'quota',
    'setting the quota',
    () => alterUserQuota(admin, user, kafkaChange),
    () => ({ what: 'quota put back', run: () => alterUserQuota(admin, user, quotaUndo(before, kafkaChange)) }),
  );
}

/** A quota as the registry and the cluster are compared: null for none of that kind. */
export interface QuotaInForce {
  maxBytesPerSecond: number | null;
  maxRequestPercent: number | null;
}

/**
 * Whether the quota in force on the principal differs from the one kfeed recorded (changed by
 * hand, e.g. with kafka-configs): drift, like ACLs beyond the role.
 */
export function quotaDiffers(recorded: SubscriberQuota | undefined, inForce: QuotaInForce): boolean {
  return (
    (recorded?.maxBytesPerSecond ?? null) !== inForce.maxBytesPerSecond ||
    (recorded?.maxRequestPercent ?? null) !== inForce.maxRequestPercent
  );
}
