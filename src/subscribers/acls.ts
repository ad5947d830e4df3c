import type { AclBinding } from '../kafka/acls.js';
import type { SubscriberRecord, SubscriberRole } from './registry.js';

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
}): AclBinding[] {
  // IAM clients are authorized by their IAM policy, never by Kafka ACLs.
  if (input.auth === 'iam') return [];
  const binding = (resourceType: string, resourceName: string, patternType: string, operation: string) => ({
    principal: input.principal,
    host: '*',
    operation,
    permission: 'ALLOW',
    resourceType,
    resourceName,
    patternType,
  });
  const topicOperations = input.role === 'consumer' ? ['READ', 'DESCRIBE'] : ['WRITE', 'DESCRIBE'];
  const bindings = input.topics.flatMap((topic) =>
    topicOperations.map((operation) => binding('TOPIC', topic, 'LITERAL', operation)),
  );
  if (input.role === 'consumer') bindings.push(binding('GROUP', input.groupPrefix, 'PREFIXED', 'READ'));
  return bindings;
}

/**
 * The ACLs a subscriber should hold now: its role's, or none while it is suspended or removed
 * (any it holds then are drift).
 */
export function expectedBindings(record: SubscriberRecord): AclBinding[] {
  return record.suspended || record.removedAt ? [] : subscriberBindings(record);
}

/** One string per binding, for comparing sets of bindings. */
export function bindingKey(b: AclBinding): string {
  return [b.principal, b.host, b.operation, b.permission, b.resourceType, b.resourceName, b.patternType].join('|');
}

/**
 * How the ACLs a principal holds differ from what its role needs: `missing` ones its clients
 * lack, and `excess` ones beyond the role (any other ACL naming the principal, ALLOW or DENY,
 * on any resource or host). Both are drift.
 */
export function aclDrift(
  expected: AclBinding[],
  held: AclBinding[],
  principal: string,
): { missing: AclBinding[]; excess: AclBinding[] } {
  const own = held.filter((b) => b.principal === principal);
  const ownKeys = new Set(own.map(bindingKey));
  const expectedKeys = new Set(expected.map(bindingKey));
  return {
    missing: expected.filter((b) => !ownKeys.has(bindingKey(b))),
    excess: own.filter((b) => !expectedKeys.has(bindingKey(b))),
  };
}
