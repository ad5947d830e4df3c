import type { AclBinding } from '../kafka/acls.js';
import { isRemoved, type SubscriberCertificate, type SubscriberRecord } from './registry.js';

/**
 * What `subscriber list` says of each subscriber, from its registry record, the ACLs the
 * cluster holds and its groups' lag: pure rules, so each is tested alone.
 */

export type SubscriberState = 'active' | 'expiring' | 'expired' | 'suspended' | 'removed';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The certificate that is valid longest: what the client most likely uses now. */
export function currentCertificate(record: SubscriberRecord, now: Date): SubscriberCertificate | null {
  const usable = record.certificates.filter((c) => !c.revokedAt && Date.parse(c.notBefore) <= now.getTime());
  const pool = usable.length ? usable : record.certificates;
  return pool.reduce<SubscriberCertificate | null>(
    (best, c) => (!best || Date.parse(c.notAfter) > Date.parse(best.notAfter) ? c : best),
    null,
  );
}

/** Whole days until the certificate ends (negative once it has), null without one. */
export function daysLeftOf(certificate: SubscriberCertificate | null, now: Date): number | null {
  return certificate ? Math.floor((Date.parse(certificate.notAfter) - now.getTime()) / DAY_MS) : null;
}

/** Whole hours until the certificate ends, for an expiry under a day ("0 day(s)" says nothing). */
export function hoursLeftOf(certificate: SubscriberCertificate | null, now: Date): number | null {
  return certificate ? Math.floor((Date.parse(certificate.notAfter) - now.getTime()) / HOUR_MS) : null;
}

export function stateOf(
  record: SubscriberRecord,
  certificate: SubscriberCertificate | null,
  now: Date,
  expiringDays: number,
): SubscriberState {
  if (isRemoved(record)) return 'removed';
  if (record.suspended) return 'suspended';
  // An IAM client holds no certificate: its access lasts as long as its policy is attached.
  if (record.auth === 'iam' && !certificate) return 'active';
  if (!certificate || certificate.revokedAt || Date.parse(certificate.notAfter) <= now.getTime()) return 'expired';
  return Date.parse(certificate.notAfter) - now.getTime() <= expiringDays * DAY_MS ? 'expiring' : 'active';
}

/** Lag of one consumer group, as the group commands compute it. */
export interface GroupLag {
  group: string;
  state: string;
  members: number;
  /** Messages not yet read; null when the group has committed no offset ("no commits", not caught up). */
  lag: number | null;
  /** Null when the time of the first unread record could not be read. */
  lagSeconds: number | null;
}

/**
 * A subscriber's lag over its groups: the group furthest behind of those that committed (groups
 * often read the same data, so their lags do not add up), and the largest time lag. Null (not
 * 0) when no group has committed anything.
 */
export function subscriberLag(groups: GroupLag[]): {
  lag: number | null;
  lagGroup: string | null;
  lagSeconds: number | null;
} {
  const largest = groups
    .filter((g) => g.lag !== null)
    .reduce<GroupLag | undefined>((best, g) => (!best || g.lag! > best.lag! ? g : best), undefined);
  const seconds = groups.map((g) => g.lagSeconds).filter((s): s is number => s !== null);
  return {
    lag: largest?.lag ?? null,
    lagGroup: largest?.group ?? null,
    lagSeconds: seconds.length ? Math.max(...seconds) : null,
  };
}

/**
 * ACLs held by principals that are no (active) subscriber, by principal in the order the
 * cluster listed them; `known` are the active subscribers' principals and those to ignore.
 */
export function unknownPrincipals(
  acls: AclBinding[],
  known: Set<string>,
): Array<{ principal: string; acls: AclBinding[] }> {
  const unknown = new Map<string, AclBinding[]>();
  for (const binding of acls) {
    if (known.has(binding.principal)) continue;
    unknown.set(binding.principal, [...(unknown.get(binding.principal) ?? []), binding]);
  }
  return [...unknown].map(([principal, list]) => ({ principal, acls: list }));
}
