import { listAcls, type AclBinding } from '../kafka/acls.js';
import { describeUserQuotas, quotaUserOf, type UserQuota } from '../kafka/quotas.js';
import { aclDrift, expectedBindings } from './acls.js';
import { quotaDiffers, subscriberQuotaOf, type QuotaInForce, type SubscriberQuota } from './quota.js';
import {
  isRemoved,
  readRegistry,
  type SubscriberCertificate,
  type SubscriberRecord,
  type SubscriberRole,
  type Suspension,
} from './registry.js';
import {
  currentCertificate,
  daysLeftOf,
  hoursLeftOf,
  stateOf,
  subscriberLag,
  unknownPrincipals,
  type GroupLag,
  type SubscriberState,
} from './state.js';
import { withRegistryAdmin, type RegistryAccess } from './shared.js';

export type { GroupLag, SubscriberState } from './state.js';

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
  /** Whom to tell about renewals, when recorded. */
  contact: string | null;
  /** The current certificate's end (ISO) and serial: with daysLeft/hoursLeft, what a renewal mailer needs. */
  notAfter: string | null;
  serial: string | null;
  daysLeft: number | null;
  hoursLeft: number | null;
  state: SubscriberState;
  /** While suspended: when, by whom and why; else null. */
  suspension: Suspension | null;
  /** The quota on its principal as the cluster holds it (null: none of that kind). */
  quota: QuotaInForce;
  /** ACLs its role needs that its principal lacks (none while suspended). */
  missingAcls: AclBinding[];
  /** ACLs its principal holds beyond what its role needs (any, while suspended): access nobody recorded. */
  excessAcls: AclBinding[];
  record: SubscriberRecord;
}

export interface SubscriberOverview {
  registryTopic: string;
  subscribers: SubscriberView[];
  drift: {
    /** Principals that hold ACLs but are no (active) subscriber. */
    unknownPrincipals: Array<{ principal: string; acls: AclBinding[] }>;
    /** Active subscribers whose ACLs are missing (a suspended one misses none). */
    missingAcls: Array<{ name: string; acls: AclBinding[] }>;
    /** Subscribers whose principal holds ACLs beyond its role (a suspended one: any ACL). */
    excessAcls: Array<{ name: string; acls: AclBinding[] }>;
    /** Subscribers whose quota in force is not the one kfeed recorded (changed by hand). */
    quotas: Array<{ name: string; recorded: SubscriberQuota | null; inForce: QuotaInForce }>;
  };
}

/** The quota the cluster holds on a subscriber's principal (IAM clients and removed ones: none). */
function quotaOf(record: SubscriberRecord, quotas: Map<string, UserQuota>): UserQuota {
  if (isRemoved(record) || record.auth === 'iam' || !record.principal.startsWith('User:')) return {};
  return quotas.get(quotaUserOf(record.principal)) ?? {};
}

/** Reads the registry once, the ACLs and quotas once and the groups' lag in bulk, and puts them together. */
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
  const { acls, quotas } = await withRegistryAdmin(access, async (admin) => ({
    acls: await listAcls(admin),
    quotas: await describeUserQuotas(admin),
  }));
  const records = [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
  const active = records.filter((r) => !isRemoved(r));
  const lags = await options.groupLag(active.filter((r) => r.role === 'consumer').map((r) => r.groupPrefix));
  const subscribers = records.map((record): SubscriberView => {
    const certificate = currentCertificate(record, now);
    const drift = isRemoved(record)
      ? { missing: [], excess: [] }
      : aclDrift(expectedBindings(record), acls, record.principal);
    const groups =
      record.role === 'consumer' && !isRemoved(record)
        ? lags.filter((g) => g.group.startsWith(record.groupPrefix))
        : [];
    return {
      name: record.name,
      principal: record.principal,
      role: record.role,
      topics: record.topics,
      groupPrefix: record.groupPrefix,
      groups,
      ...subscriberLag(groups),
      certificate,
      contact: record.contact ?? null,
      notAfter: certificate?.notAfter ?? null,
      serial: certificate?.serialNumber ?? null,
      daysLeft: daysLeftOf(certificate, now),
      hoursLeft: hoursLeftOf(certificate, now),
      state: stateOf(record, certificate, now, options.expiringDays),
      suspension: isRemoved(record) ? null : (record.suspended ?? null),
      quota: subscriberQuotaOf(record.role, quotaOf(record, quotas)),
      missingAcls: drift.missing,
      excessAcls: drift.excess,
      record,
    };
  });
  const known = new Set([...active.map((r) => r.principal), ...(options.ignorePrincipals ?? [])]);
  const of = (pick: (s: SubscriberView) => AclBinding[]) =>
    subscribers.filter((s) => pick(s).length).map((s) => ({ name: s.name, acls: pick(s) }));
  return {
    registryTopic: access.registryTopic,
    subscribers,
    drift: {
      unknownPrincipals: unknownPrincipals(acls, known),
      missingAcls: of((s) => s.missingAcls),
      excessAcls: of((s) => s.excessAcls),
      quotas: subscribers
        .filter((s) => s.state !== 'removed' && quotaDiffers(s.record.quota, s.quota))
        .map((s) => ({ name: s.name, recorded: s.record.quota ?? null, inForce: s.quota })),
    },
  };
}
