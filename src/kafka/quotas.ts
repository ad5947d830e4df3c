import type { Admin } from '@platformatic/kafka';
import { KfeedError } from '../errors.js';

/**
 * Kafka client quotas on a user principal, through the engine's admin (DescribeClientQuotas,
 * AlterClientQuotas). The quota `user` entity is the principal's name as the broker sees it:
 * the `User:` principal without its prefix (for mTLS, the certificate subject after the
 * broker's principal mapping, e.g. `CN=acme,O=Acme`).
 */

export const QUOTA_KEYS = ['consumer_byte_rate', 'producer_byte_rate', 'request_percentage'] as const;
export type QuotaKey = (typeof QUOTA_KEYS)[number];

/** The quota values a user entity holds; a key it does not hold is absent. */
export type UserQuota = Partial<Record<QuotaKey, number>>;

/** A change: a number sets the key, null removes it; an absent key stays as it is. */
export type UserQuotaChange = Partial<Record<QuotaKey, number | null>>;

// The engine's ClientQuotaMatchTypes (EXACT, ANY), written out so that loading this module (from
// a command's flags) does not load the engine.
const MATCH_EXACT = 0;
const MATCH_ANY = 2;

/** The quota `user` entity of a `User:NAME` principal. */
export function quotaUserOf(principal: string): string {
  if (!principal.startsWith('User:')) {
    throw new KfeedError('usage', `client quotas are set on User: principals, not on ${principal}`, {
      hint: 'a Kafka principal of the form User:NAME',
    });
  }
  return principal.slice('User:'.length);
}

/**
 * The quotas set on users by name (not the defaults they may fall under): on `user` alone when
 * given, else on every user that has one.
 */
export async function describeUserQuotas(admin: Admin, user?: string): Promise<Map<string, UserQuota>> {
  const entries = await admin.describeClientQuotas({
    components: [
      user === undefined
        ? { entityType: 'user', matchType: MATCH_ANY }
        : { entityType: 'user', matchType: MATCH_EXACT, match: user },
    ],
    // Only entities of a user alone, not of a user and a client id.
    strict: true,
  });
  const quotas = new Map<string, UserQuota>();
  for (const entry of entries) {
    const name = entry.entity.find((e) => e.entityType === 'user')?.entityName;
    if (typeof name !== 'string') continue;
    const quota: UserQuota = {};
    for (const { key, value } of entry.values)
      if ((QUOTA_KEYS as readonly string[]).includes(key)) quota[key as QuotaKey] = value;
    quotas.set(name, quota);
  }
  return quotas;
}

/** The quotas set on exactly this user. */
export async function describeUserQuota(admin: Admin, user: string): Promise<UserQuota> {
  return (await describeUserQuotas(admin, user)).get(user) ?? {};
}

/** Sets and removes keys of one user's quota in one request; an empty change sends nothing. */
export async function alterUserQuota(admin: Admin, user: string, change: UserQuotaChange): Promise<void> {
  const ops = Object.entries(change).map(([key, value]) =>
    value === null
      ? { key: key as QuotaKey, remove: true as const }
      : { key: key as QuotaKey, value: value!, remove: false as const },
  );
  if (!ops.length) return;
  await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'user', entityName: user }], ops }] });
}

/** The change that puts `before` back after `change` was applied to it. */
export function quotaUndo(before: UserQuota, change: UserQuotaChange): UserQuotaChange {
  return Object.fromEntries(Object.keys(change).map((key) => [key, before[key as QuotaKey] ?? null]));
}

/** The change that removes every key `quota` holds. */
export function quotaRemoval(quota: UserQuota): UserQuotaChange {
  return Object.fromEntries(Object.keys(quota).map((key) => [key, null]));
}
