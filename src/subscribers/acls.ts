import {
  AclOperations as AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes as AclResourceTypes,
  type Acl as AclEntry,
  type AclOperationValue,
  type Admin,
  type ResourcePatternTypeValue,
  type ResourceTypeValue,
} from '@platformatic/kafka';
import { describeBinding, type AclBinding } from '../kafka/acls.js';
import type { SubscriberRole } from './registry.js';

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
  const entry = (
    resourceType: ResourceTypeValue,
    resourceName: string,
    pattern: ResourcePatternTypeValue,
    operation: AclOperationValue,
  ): AclEntry => ({
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
  if (entries.length) await admin.createAcls({ creations: entries });
  return entries.map(describeBinding);
}

/** Deletes exactly these entries (each filter matches one binding); returns those that existed. */
export async function deleteBindings(admin: Admin, entries: AclEntry[]): Promise<AclBinding[]> {
  if (!entries.length) return [];
  return (await admin.deleteAcls({ filters: entries })).map(describeBinding);
}
