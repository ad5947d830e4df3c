import { listAcls, type AclBinding } from '../kafka/acls.js';
import { aclDrift, subscriberBindings } from './acls.js';
import {
  isRemoved,
  readRegistry,
  type SubscriberCertificate,
  type SubscriberRecord,
  type SubscriberRole,
} from './registry.js';
import { withRegistryAdmin, type RegistryAccess } from './shared.js';

export type SubscriberState = 'active' | 'expiring' | 'expired' | 'removed';

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

export interface SubscriberView {
  name: string;
  principal: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  groups: GroupLag[];
  /** The largest lag of its groups (groups often read the same data: their lags do not add up). */
  lag: number | null;
  /** The group with that lag. */
  lagGroup: string | null;
  lagSeconds: number | null;
  certificate: SubscriberCertificate | null;
  daysLeft: number | null;
  hoursLeft: number | null;
  state: SubscriberState;
  /** ACLs its role needs that its principal lacks. */
  missingAcls: AclBinding[];
  /** ACLs its principal holds beyond what its role needs: access nobody recorded. */
  excessAcls: AclBinding[];
  record: SubscriberRecord;
}

export interface SubscriberOverview {
  registryTopic: string;
  subscribers: SubscriberView[];
  drift: {
    /** Principals that hold ACLs but are no (active) subscriber. */
    unknownPrincipals: Array<{ principal: string; acls: AclBinding[] }>;
    /** Active subscribers whose ACLs are missing. */
    missingAcls: Array<{ name: string; acls: AclBinding[] }>;
    /** Active subscribers whose principal holds ACLs beyond its role. */
    excessAcls: Array<{ name: string; acls: AclBinding[] }>;
  };
}

/** Reads the registry once, the ACLs once and the groups' lag in bulk, and puts them together. */
export async function subscriberOverview(
  access: RegistryAccess,
  options: {
    expiringDays: number;
    now?: Date;
    groupLag: (prefixes: string[]) => Promise<GroupLag[]>;
    ignorePrincipals?: string[];
  },
): Promise<SubscriberOverview> {
  const now = options.now ?? new Date();
  const registry = await readRegistry(access.settings, access.registryTopic, access.signal);
  const acls = await withRegistryAdmin(access, (admin) => listAcls(admin));
  const records = [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
  const active = records.filter((r) => !isRemoved(r));
  const lags = await options.groupLag(active.filter((r) => r.role === 'consumer').map((r) => r.groupPrefix));
  const subscribers = records.map((record): SubscriberView => {
    const certificate = currentCertificate(record, now);
    const msLeft = certificate ? Date.parse(certificate.notAfter) - now.getTime() : null;
    const drift = isRemoved(record)
      ? { missing: [], excess: [] }
      : aclDrift(subscriberBindings(record), acls, record.principal);
    const groups =
      record.role === 'consumer' && !isRemoved(record)
        ? lags.filter((g) => g.group.startsWith(record.groupPrefix))
        : [];
    const largest = largestLag(groups);
    return {
      name: record.name,
      principal: record.principal,
      role: record.role,
      topics: record.topics,
      groupPrefix: record.groupPrefix,
      groups,
      lag: largest?.lag ?? null,
      lagGroup: largest?.group ?? null,
      lagSeconds: maxOf(groups.map((g) => g.lagSeconds)),
      certificate,
      daysLeft: msLeft === null ? null : Math.floor(msLeft / 86_400_000),
      hoursLeft: msLeft === null ? null : Math.floor(msLeft / 3_600_000),
      state: stateOf(record, certificate, now, options.expiringDays),
      missingAcls: drift.missing,
      excessAcls: drift.excess,
      record,
    };
  });
  const known = new Set([...active.map((r) => r.principal), ...(options.ignorePrincipals ?? [])]);
  const unknown = new Map<string, AclBinding[]>();
  for (const binding of acls) {
    if (known.has(binding.principal)) continue;
    unknown.set(binding.principal, [...(unknown.get(binding.principal) ?? []), binding]);
  }
  const of = (pick: (s: SubscriberView) => AclBinding[]) =>
    subscribers.filter((s) => pick(s).length).map((s) => ({ name: s.name, acls: pick(s) }));
  return {
    registryTopic: access.registryTopic,
    subscribers,
    drift: {
      unknownPrincipals: [...unknown].map(([principal, list]) => ({ principal, acls: list })),
      missingAcls: of((s) => s.missingAcls),
      excessAcls: of((s) => s.excessAcls),
    },
  };
}

/** The group furthest behind, of those that committed offsets. */
function largestLag(groups: GroupLag[]): GroupLag | undefined {
  const committed = groups.filter((g) => g.lag !== null);
  return committed.reduce<GroupLag | undefined>((best, g) => (!best || g.lag! > best.lag! ? g : best), undefined);
}

function maxOf(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
}

/** The certificate that is valid longest: what the client most likely uses now. */
function currentCertificate(record: SubscriberRecord, now: Date): SubscriberCertificate | null {
  const usable = record.certificates.filter((c) => !c.revokedAt && Date.parse(c.notBefore) <= now.getTime());
  const pool = usable.length ? usable : record.certificates;
  return pool.reduce<SubscriberCertificate | null>(
    (best, c) => (!best || Date.parse(c.notAfter) > Date.parse(best.notAfter) ? c : best),
    null,
  );
}

function stateOf(
  record: SubscriberRecord,
  certificate: SubscriberCertificate | null,
  now: Date,
  expiringDays: number,
): SubscriberState {
  if (isRemoved(record)) return 'removed';
  // An IAM client holds no certificate: its access lasts as long as its policy is attached.
  if (record.auth === 'iam' && !certificate) return 'active';
  if (!certificate || certificate.revokedAt || Date.parse(certificate.notAfter) <= now.getTime()) return 'expired';
  return Date.parse(certificate.notAfter) - now.getTime() <= expiringDays * 86_400_000 ? 'expiring' : 'active';
}
