import kafkajs, { type Admin, type AclEntry } from 'kafkajs';
import { describeBinding, type AclBinding } from '../kafka/acls.js';
import type { SubscriberRole } from './registry.js';

const { AclResourceTypes, AclOperationTypes, AclPermissionTypes, ResourcePatternTypes } = kafkajs;

/**
 * Exactly the ACLs a subscriber's role needs, nothing more: a consumer may read and describe
 * its topics and read groups that start with its prefix; a producer may write and describe
 * its topics.
 */
export function subscriberBindings(input: {
  principal: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  auth?: 'mtls' | 'iam';
}): AclEntry[] {
  // IAM clients are authorized by their IAM policy, never by Kafka ACLs.
  if (input.auth === 'iam') return [];
  const entry = (resourceType: number, resourceName: string, pattern: number, operation: number): AclEntry => ({
    resourceType,
    resourceName,
    resourcePatternType: pattern,
    principal: input.principal,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  });
  const topicOperations =
    input.role === 'consumer'
      ? [AclOperationTypes.READ, AclOperationTypes.DESCRIBE]
      : [AclOperationTypes.WRITE, AclOperationTypes.DESCRIBE];
  const entries = input.topics.flatMap((topic) =>
    topicOperations.map((op) => entry(AclResourceTypes.TOPIC, topic, ResourcePatternTypes.LITERAL, op)),
  );
  if (input.role === 'consumer')
    entries.push(
      entry(AclResourceTypes.GROUP, input.groupPrefix, ResourcePatternTypes.PREFIXED, AclOperationTypes.READ),
    );
  return entries;
}

export function bindingKey(b: AclBinding): string {
  return [b.principal, b.host, b.operation, b.permission, b.resourceType, b.resourceName, b.patternType].join('|');
}

/** Creates the entries; returns them as people read ACLs. */
export async function createBindings(admin: Admin, entries: AclEntry[]): Promise<AclBinding[]> {
  if (entries.length) await admin.createAcls({ acl: entries });
  return entries.map(describeBinding);
}

/** Deletes exactly these entries (each filter matches one binding); returns those that existed. */
export async function deleteBindings(admin: Admin, entries: AclEntry[]): Promise<AclBinding[]> {
  if (!entries.length) return [];
  const result = await admin.deleteAcls({ filters: entries });
  return result.filterResponses.flatMap((r) => r.matchingAcls).map((m) => describeBinding(m as unknown as AclEntry));
}
