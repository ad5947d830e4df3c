import type { RevocationReason } from '../certs/issuing.js';
import { KfeedError, messageOf } from '../errors.js';
import { deleteBindings, listAcls, type AclBinding } from '../kafka/acls.js';
import { alterUserQuota, describeUserQuota, quotaRemoval, quotaUserOf } from '../kafka/quotas.js';
import { aclDrift, bindingKey, subscriberBindings } from './acls.js';
import { quotaText, subscriberQuotaOf, type QuotaInForce } from './quota.js';
import { writeRegistryRecord, type SubscriberRecord } from './registry.js';
import {
  appendEventTo,
  eventOf,
  NOT_REVOCABLE,
  requireSubscriber,
  withRegistryAdmin,
  type RegistryAccess,
} from './shared.js';

export interface RemoveSubscriberInput {
  name: string;
  /** Revoke the subscriber's Private CA certificates with this reason. */
  revoke?: { reason: RevocationReason; endpointUrl?: string; region?: string; env: NodeJS.ProcessEnv };
}

export interface RemoveSubscriberResult {
  subscriber: SubscriberRecord;
  /** Every ACL its principal held: all are deleted. */
  aclsRemoved: AclBinding[];
  /** Those of `aclsRemoved` its role did not need (granted by hand: drift of kind "excess"). */
  beyondRole: AclBinding[];
  revoked: string[];
  /** Certificates not revoked: a local CA's (`revocable: false`: it keeps no list), or a revocation that failed. */
  notRevoked: Array<{ serialNumber: string; why: string; revocable: boolean }>;
  /** IAM subscribers: the principal whose kfeed policy must be detached in IAM to cut it off. */
  iamPrincipalToDetach?: string;
  /** The quota its principal had, removed with it (null: it had none). */
  quotaRemoved: QuotaInForce | null;
}

/**
 * Cuts a subscriber off: every ACL of its principal goes (those its role needed and any
 * granted beyond it), and its quota; its certificates are revoked when asked, and the removal is appended to
 * the history, then recorded in the registry (the record stays, marked removed). The ACLs are
 * never put back: if recording fails, running `remove` again records it.
 */
export async function removeSubscriber(
  access: RegistryAccess,
  input: RemoveSubscriberInput,
): Promise<RemoveSubscriberResult> {
  const record = await requireSubscriber(access, input.name);
  const { aclsRemoved, beyondRole, quotaRemoved } = await withRegistryAdmin(access, async (admin) => {
    const held = (await listAcls(admin)).filter((b) => b.principal === record.principal);
    const excess = new Set(aclDrift(subscriberBindings(record), held, record.principal).excess.map(bindingKey));
    const deleted = await deleteBindings(admin, held);
    // Its quota goes with it: a principal used again later starts without one.
    const user = record.auth === 'iam' ? undefined : quotaUserOf(record.principal);
    const quota = user === undefined ? {} : await describeUserQuota(admin, user);
    if (user !== undefined) await alterUserQuota(admin, user, quotaRemoval(quota));
    return {
      aclsRemoved: deleted,
      beyondRole: deleted.filter((b) => excess.has(bindingKey(b))),
      quotaRemoved: Object.keys(quota).length ? subscriberQuotaOf(record.role, quota) : null,
    };
  });
  const now = new Date().toISOString();
  const revoked: string[] = [];
  const notRevoked: RemoveSubscriberResult['notRevoked'] = [];
  const certificates = [...record.certificates];
  if (input.revoke) {
    const { revokeWithPrivateCa } = await import('../certs/issuing.js');
    for (const [i, cert] of certificates.entries()) {
      if (cert.revokedAt) continue;
      if (!cert.ca.startsWith('arn:')) {
        notRevoked.push({ serialNumber: cert.serialNumber, why: `${NOT_REVOCABLE}: ${cert.ca}`, revocable: false });
        continue;
      }
      try {
        await revokeWithPrivateCa({ arn: cert.ca, ...input.revoke }, cert.serialNumber, input.revoke.reason);
      } catch (error) {
        // The ACLs are gone already; record what was revoked before saying what was not.
        notRevoked.push({ serialNumber: cert.serialNumber, why: messageOf(error), revocable: true });
        continue;
      }
      certificates[i] = { ...cert, revokedAt: now, revocationReason: input.revoke.reason };
      revoked.push(cert.serialNumber);
    }
  }
  const removed: SubscriberRecord = {
    ...record,
    certificates,
    updatedAt: now,
    updatedBy: access.operator,
    removedAt: now,
    removedBy: access.operator,
  };
  const what = [
    `removed: ${aclsRemoved.length} ACL(s) deleted (${beyondRole.length} beyond its role)`,
    ...(quotaRemoved ? [`quota removed (${quotaText(quotaRemoved)})`] : []),
    ...(revoked.length ? [`revoked ${revoked.join(', ')}`] : []),
    ...notRevoked.map((n) => `${n.serialNumber} not revoked: ${n.why}`),
    ...(record.auth === 'iam' ? [`its IAM policy must be detached from ${record.principal}`] : []),
  ].join('; ');
  const event = eventOf(access, removed, { action: 'remove', what, aclsDeleted: aclsRemoved });
  try {
    // The history first: a removal it holds happened, even if the registry write fails next.
    await appendEventTo(access, event);
    await writeRegistryRecord(access.settings, access.registryTopic, removed);
  } catch (error) {
    const cause = access.translate(error);
    throw new KfeedError(
      cause.kind,
      `subscriber ${input.name} is cut off (${aclsRemoved.length} ACL(s) deleted), ` +
        `but recording the removal failed: ${cause.message}`,
      { hint: `run \`kfeed subscriber remove ${input.name} --yes\` again to record it`, cause },
    );
  }
  return {
    subscriber: removed,
    aclsRemoved,
    beyondRole,
    revoked,
    notRevoked,
    quotaRemoved,
    ...(record.auth === 'iam' ? { iamPrincipalToDetach: record.principal } : {}),
  };
}
