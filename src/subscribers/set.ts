import { describeUserQuota, quotaUserOf } from '../kafka/quotas.js';
import {
  appliedQuota,
  checkQuotaAllowed,
  quotaStep,
  requireQuotaChange,
  quotaText,
  subscriberQuotaOf,
  type QuotaInForce,
  type SubscriberQuotaChange,
} from './quota.js';
import type { SubscriberRecord } from './registry.js';
import { eventOf, recordThenHistory, requireSubscriber, withRegistryAdmin, type RegistryAccess } from './shared.js';
import { Transaction, type StepHook } from './transaction.js';

export interface SetSubscriberInput {
  name: string;
  quota: SubscriberQuotaChange;
  /** Tests only: called after each step that can be undone (see Transaction). */
  afterStep?: StepHook;
}

export interface SetSubscriberResult {
  subscriber: SubscriberRecord;
  /** The quota in force afterwards, as the cluster reports it (null: none of that kind). */
  quota: QuotaInForce;
}

/**
 * Changes a subscriber's quota on its principal, records it in the registry and the history;
 * a failure puts the values before back.
 */
export async function setSubscriber(access: RegistryAccess, input: SetSubscriberInput): Promise<SetSubscriberResult> {
  requireQuotaChange(input.quota);
  const record = await requireSubscriber(access, input.name);
  checkQuotaAllowed(record);
  return withRegistryAdmin(access, async (admin) => {
    const tx = new Transaction(access.translate, input.afterStep);
    await quotaStep(tx, admin, record.principal, record.role, input.quota);
    const now = new Date().toISOString();
    const { quota: _, ...rest } = record;
    const quota = appliedQuota(record.quota, input.quota);
    const updated: SubscriberRecord = {
      ...rest,
      ...(quota ? { quota } : {}),
      updatedAt: now,
      updatedBy: access.operator,
    };
    const what = `quota set: ${quotaText(quota ?? {})} (was ${quotaText(record.quota ?? {})})`;
    const event = eventOf(access, updated, { action: 'set', what });
    await recordThenHistory(tx, access, { record: updated, previous: record, event });
    const inForce = await describeUserQuota(admin, quotaUserOf(record.principal));
    return { subscriber: updated, quota: subscriberQuotaOf(record.role, inForce) };
  });
}
