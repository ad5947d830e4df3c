import { KfeedError } from '../errors.js';
import { listAcls, type AclBinding } from '../kafka/acls.js';
import { aclDrift, bindingKey, subscriberBindings } from './acls.js';
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

/**
 * Suspending cuts a subscriber off and keeps everything else (certificate, record, groups,
 * quota): every ACL of its principal goes, and `resume` grants exactly what its role needs
 * again. An IAM subscriber holds no ACLs: IAM decides, so both say which policy to detach or
 * attach. Each is recorded in the registry and the history; a failure undoes every step.
 */

export interface SuspendSubscriberInput {
  name: string;
  reason?: string;
  /** Tests only: called after each step that can be undone (see Transaction). */
  afterStep?: StepHook;
}

export interface SuspendSubscriberResult {
  subscriber: SubscriberRecord;
  /** Every ACL its principal held: all deleted. */
  aclsDeleted: AclBinding[];
  /** Those of `aclsDeleted` its role did not need (granted by hand: not given back by resume). */
  beyondRole: AclBinding[];
  /** IAM subscribers: the principal to detach its kfeed policy from (IAM, not ACLs, decides). */
  iamPrincipal?: string;
}

export interface ResumeSubscriberInput {
  name: string;
  afterStep?: StepHook;
}

export interface ResumeSubscriberResult {
  subscriber: SubscriberRecord;
  /** The ACLs its role needs that its principal lacked: granted. */
  aclsGranted: AclBinding[];
  /** When it had been suspended, by whom and why. */
  suspension: NonNullable<SubscriberRecord['suspended']>;
  /** IAM subscribers: the principal to attach its kfeed policy (policy.json of its bundle) to again. */
  iamPrincipal?: string;
}

export async function suspendSubscriber(
  access: RegistryAccess,
  input: SuspendSubscriberInput,
): Promise<SuspendSubscriberResult> {
  const record = await requireSubscriber(access, input.name);
  if (record.suspended) {
    const s = record.suspended;
    throw new KfeedError(
      'conflict',
      `subscriber ${input.name} is already suspended (since ${s.at} by ${s.by}${s.reason ? `: ${s.reason}` : ''})`,
      { hint: `resume it with \`kfeed subscriber resume ${input.name}\`` },
    );
  }
  return withRegistryAdmin(access, async (admin) => {
    const held = (await listAcls(admin)).filter((b) => b.principal === record.principal);
    const excess = new Set(aclDrift(subscriberBindings(record), held, record.principal).excess.map(bindingKey));
    const tx = new Transaction(access.translate, input.afterStep);
    const deleted = await deleteStep(tx, admin, held);
    const now = new Date().toISOString();
    const suspension = { at: now, by: access.operator, ...(input.reason ? { reason: input.reason } : {}) };
    const updated: SubscriberRecord = { ...record, suspended: suspension, updatedAt: now, updatedBy: access.operator };
    const beyondRole = deleted.filter((b) => excess.has(bindingKey(b)));
    const what = [
      `suspended${input.reason ? ` (${input.reason})` : ''}: ${deleted.length} ACL(s) deleted` +
        (beyondRole.length ? ` (${beyondRole.length} beyond its role)` : ''),
      ...(record.auth === 'iam' ? [`its IAM policy must be detached from ${record.principal}`] : []),
    ].join('; ');
    const event = eventOf(access, updated, { action: 'suspend', what, aclsDeleted: deleted });
    await recordThenHistory(tx, access, { record: updated, previous: record, event });
    return {
      subscriber: updated,
      aclsDeleted: deleted,
      beyondRole,
      ...(record.auth === 'iam' ? { iamPrincipal: record.principal } : {}),
    };
  });
}

export async function resumeSubscriber(
  access: RegistryAccess,
  input: ResumeSubscriberInput,
): Promise<ResumeSubscriberResult> {
  const record = await requireSubscriber(access, input.name);
  const suspension = record.suspended;
  if (!suspension) {
    throw new KfeedError('conflict', `subscriber ${input.name} is not suspended`, {
      hint: `its ACLs drifted? \`kfeed subscriber repair ${input.name}\` gives it exactly its role's`,
    });
  }
  return withRegistryAdmin(access, async (admin) => {
    const held = new Set((await listAcls(admin)).filter((b) => b.principal === record.principal).map(bindingKey));
    const missing = subscriberBindings(record).filter((b) => !held.has(bindingKey(b)));
    const tx = new Transaction(access.translate, input.afterStep);
    await grantStep(tx, admin, missing);
    const now = new Date().toISOString();
    const { suspended: _, ...rest } = record;
    const updated: SubscriberRecord = { ...rest, updatedAt: now, updatedBy: access.operator };
    const what = [
      `resumed: ${missing.length} ACL(s) granted (suspended since ${suspension.at} by ${suspension.by})`,
      ...(record.auth === 'iam' ? [`its IAM policy must be attached to ${record.principal} again`] : []),
    ].join('; ');
    const event = eventOf(access, updated, { action: 'resume', what, aclsGranted: missing });
    await recordThenHistory(tx, access, { record: updated, previous: record, event });
    return {
      subscriber: updated,
      aclsGranted: missing,
      suspension,
      ...(record.auth === 'iam' ? { iamPrincipal: record.principal } : {}),
    };
  });
}
