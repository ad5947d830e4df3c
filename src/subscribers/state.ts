import { totalLag } from '../kafka/lag.js';
import type { AclBinding } from '../kafka/acls.js';
import { isRemoved, type SubscriberCertificate, type SubscriberRecord } from './registry.js';

/**
 * What `subscriber list` says of each subscriber, from its registry record, the ACLs the
 * cluster holds and its groups' lag: pure rules, so each is tested alone.
 */

export type SubscriberState = 'active' | 'expiring' | 'expired' | 'removed';

const DAY_MS = 86_400_000;

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

export function stateOf(
  record: SubscriberRecord,
  certificate: SubscriberCertificate | null,
  now: Date,
  expiringDays: number,
): SubscriberState {
  if (isRemoved(record)) return 'removed';
  // An IAM client holds no certificate: its access lasts as long as its policy is attached.
  if (record.auth === 'iam' && !certificate) return 'active';
  if (!certificate || certificate.revokedAt || Date.parse(certificate.notAfter) <= now.getTime()) return 'expired';
  return Date.parse(certificate.notAfter) - now.getTime() <= expiringDays * DAY_MS ? 'expiring' : 'active';
}

/** A subscriber's lag over its groups: null (not 0) when it has no group yet. */
export function subscriberLag(groups: Array<{ lag: number; lagSeconds: number | null }>): {
  lag: number | null;
  lagSeconds: number | null;
} {
  const total = totalLag(groups);
  return { lag: groups.length ? total.lag : null, lagSeconds: total.lagSeconds };
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
