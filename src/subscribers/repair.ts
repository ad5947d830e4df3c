import { listAcls, type AclBinding } from '../kafka/acls.js';
import { aclPhrase } from '../render/acls.js';
import { aclDrift, expectedBindings } from './acls.js';
import type { SubscriberRecord } from './registry.js';
import {
  deleteStep,
  eventOf,
  grantStep,
  recordThenHistory,
  requireSubscriber,
  withRegistryAdmin,
  type RegistryAccess,
} from './shared.js';
import { Transaction, type StepHook } from './transaction.js';

export interface RepairSubscriberInput {
  name: string;
  /** Only say what would change. */
  dryRun?: boolean;
  /** Tests only: called after each step that can be undone (see Transaction). */
  afterStep?: StepHook;
}

export interface RepairSubscriberResult {
  subscriber: SubscriberRecord;
  /** ACLs its role needs that were missing: granted (or, with dryRun, to grant). */
  granted: AclBinding[];
  /** ACLs beyond its role: deleted (or, with dryRun, to delete). */
  deleted: AclBinding[];
  dryRun: boolean;
}

/**
 * Puts a subscriber's ACLs back to exactly what its role needs (none while it is suspended):
 * the missing ones granted, those beyond it deleted; recorded in the registry and the history.
 * A failure undoes it all.
 */
export async function repairSubscriber(
  access: RegistryAccess,
  input: RepairSubscriberInput,
): Promise<RepairSubscriberResult> {
  const record = await requireSubscriber(access, input.name);
  return withRegistryAdmin(access, async (admin) => {
    const drift = aclDrift(expectedBindings(record), await listAcls(admin), record.principal);
    const plan = { subscriber: record, granted: drift.missing, deleted: drift.excess, dryRun: Boolean(input.dryRun) };
    if (input.dryRun || (!drift.missing.length && !drift.excess.length)) return plan;
    const tx = new Transaction(access.translate, input.afterStep);
    await deleteStep(tx, admin, drift.excess, { id: 'excess', name: 'deleting the ACLs beyond its role' });
    await grantStep(tx, admin, drift.missing, { id: 'missing', name: 'granting the missing ACLs' });
    const now = new Date().toISOString();
    const updated: SubscriberRecord = { ...record, updatedAt: now, updatedBy: access.operator };
    const what = [
      'repaired ACL drift',
      ...(drift.missing.length ? [`granted ${drift.missing.map(aclPhrase).join(', ')}`] : []),
      ...(drift.excess.length ? [`deleted ${drift.excess.map(aclPhrase).join(', ')}`] : []),
    ].join('; ');
    const event = eventOf(access, updated, {
      action: 'repair',
      what,
      aclsGranted: drift.missing,
      aclsDeleted: drift.excess,
    });
    await recordThenHistory(tx, access, { record: updated, previous: record, event });
    return { ...plan, subscriber: updated };
  });
}
