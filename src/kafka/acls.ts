import {
  AclOperations as AclOperationTypes,
  AclPermissionTypes,
  ResourcePatternTypes,
  ResourceTypes as AclResourceTypes,
  type Acl,
  type AclFilter,
  type Admin,
} from '@platformatic/kafka';
import { KfeedError } from '../errors.js';

/** One ACL as the engine sends and returns it (Kafka's numeric resource, operation and pattern types). */
type AclEntry = Acl;

export const ROLES = ['producer', 'consumer', 'read', 'write', 'describe', 'all'] as const;
export type Role = (typeof ROLES)[number];

/** One ACL, named the way Kafka's own tools print it. */
export interface AclBinding {
  principal: string;
  host: string;
  operation: string;
  permission: string;
  resourceType: string;
  resourceName: string;
  patternType: string;
}

const NAMES = {
  resource: invert(AclResourceTypes),
  operation: invert(AclOperationTypes),
  permission: invert(AclPermissionTypes),
  pattern: invert(ResourcePatternTypes),
};

function invert(e: Record<string, number | string>): Record<number, string> {
  return Object.fromEntries(
    Object.entries(e)
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => [v, k]),
  );
}

/** What each role grants: the producer and consumer roles of the original tool. */
function roleOperations(role: Role): Array<{ resource: 'TOPIC' | 'GROUP'; operation: keyof typeof AclOperationTypes }> {
  switch (role) {
    case 'producer':
      return [
        { resource: 'TOPIC', operation: 'WRITE' },
        { resource: 'TOPIC', operation: 'DESCRIBE' },
      ];
    case 'consumer':
      return [
        { resource: 'TOPIC', operation: 'READ' },
        { resource: 'TOPIC', operation: 'DESCRIBE' },
        { resource: 'GROUP', operation: 'READ' },
      ];
    case 'read':
      return [
        { resource: 'TOPIC', operation: 'READ' },
        { resource: 'GROUP', operation: 'READ' },
      ];
    case 'write':
      return [{ resource: 'TOPIC', operation: 'WRITE' }];
    case 'describe':
      return [{ resource: 'TOPIC', operation: 'DESCRIBE' }];
    case 'all':
      return [{ resource: 'TOPIC', operation: 'ALL' }];
  }
}

export function checkPrincipal(principal: string): string {
  if (!/^[A-Za-z]+:.+/.test(principal)) {
    throw new KfeedError('usage', `"${principal}" is not a Kafka principal`, {
      hint: 'write it as User:NAME (e.g. User:CN=client,O=Example), or pass --cert FILE',
    });
  }
  return principal;
}

export interface GrantInput {
  principal: string;
  role: Role;
  topic: string;
  /** Consumer group for roles that read (default `*`: any group, as the original did). */
  group?: string;
  /** Treat `topic` (and `group`) as prefixes rather than literal names. */
  prefixed?: boolean;
  host?: string;
}

export function bindingsFor(input: GrantInput): AclEntry[] {
  checkPrincipal(input.principal);
  if (!ROLES.includes(input.role))
    throw new KfeedError('usage', `unknown role "${input.role}"`, { hint: `use one of ${ROLES.join(', ')}` });
  const pattern = input.prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL;
  return roleOperations(input.role).map(({ resource, operation }) => {
    const name = resource === 'TOPIC' ? input.topic : (input.group ?? '*');
    return {
      resourceType: AclResourceTypes[resource],
      resourceName: name,
      // A literal "*" is Kafka's wildcard; it is never a prefix.
      resourcePatternType: name === '*' ? ResourcePatternTypes.LITERAL : pattern,
      principal: input.principal,
      host: input.host ?? '*',
      operation: AclOperationTypes[operation],
      permissionType: AclPermissionTypes.ALLOW,
    };
  });
}

export function describeBinding(entry: AclEntry): AclBinding {
  return {
    principal: entry.principal,
    host: entry.host,
    operation: NAMES.operation[entry.operation] ?? String(entry.operation),
    permission: NAMES.permission[entry.permissionType] ?? String(entry.permissionType),
    resourceType: NAMES.resource[entry.resourceType] ?? String(entry.resourceType),
    resourceName: entry.resourceName,
    patternType: NAMES.pattern[entry.resourcePatternType] ?? String(entry.resourcePatternType),
  };
}

/** The binding as the engine sends it (the inverse of `describeBinding`). */
export function bindingEntry(binding: AclBinding): AclEntry {
  const code = <T extends Record<string, number>>(table: T, name: string, what: string): T[keyof T] => {
    if (!Object.hasOwn(table, name)) throw new KfeedError('internal', `unknown ACL ${what} ${name}`);
    return table[name as keyof T];
  };
  return {
    principal: binding.principal,
    host: binding.host,
    operation: code(AclOperationTypes, binding.operation, 'operation'),
    permissionType: code(AclPermissionTypes, binding.permission, 'permission'),
    resourceType: code(AclResourceTypes, binding.resourceType, 'resource type'),
    resourceName: binding.resourceName,
    resourcePatternType: code(ResourcePatternTypes, binding.patternType, 'pattern type'),
  };
}

/** Creates exactly these bindings. */
export async function createBindings(admin: Admin, bindings: AclBinding[]): Promise<void> {
  if (bindings.length) await admin.createAcls({ creations: bindings.map(bindingEntry) });
}

/** Deletes exactly these bindings (each filter matches one binding); returns those that existed. */
export async function deleteBindings(admin: Admin, bindings: AclBinding[]): Promise<AclBinding[]> {
  if (!bindings.length) return [];
  return (await admin.deleteAcls({ filters: bindings.map(bindingEntry) })).map(describeBinding);
}

export async function grantRole(admin: Admin, input: GrantInput): Promise<AclBinding[]> {
  const entries = bindingsFor(input);
  await admin.createAcls({ creations: entries });
  return entries.map(describeBinding);
}

/** Allows `principal` to read `topic` and nothing else (what `create-topic --grant-brokers` promises). */
export async function grantTopicRead(admin: Admin, principal: string, topic: string): Promise<AclBinding[]> {
  const entries = bindingsFor({ principal, role: 'read', topic }).filter(
    (e) => e.resourceType === AclResourceTypes.TOPIC,
  );
  await admin.createAcls({ creations: entries });
  return entries.map(describeBinding);
}

/** Removes exactly the bindings the role would grant; returns those that existed. */
export async function revokeRole(admin: Admin, input: GrantInput): Promise<AclBinding[]> {
  const entries = bindingsFor(input);
  return (await admin.deleteAcls({ filters: entries })).map(describeBinding);
}

/** All ACLs, or those that apply to one topic (literal, prefixed or wildcard). */
export async function listAcls(admin: Admin, options: { topic?: string } = {}): Promise<AclBinding[]> {
  const filter: AclFilter = {
    resourceType: options.topic ? AclResourceTypes.TOPIC : AclResourceTypes.ANY,
    resourceName: options.topic ?? null,
    resourcePatternType: options.topic ? ResourcePatternTypes.MATCH : ResourcePatternTypes.ANY,
    principal: null,
    host: null,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  };
  const rows: AclBinding[] = [];
  for (const resource of await admin.describeAcls({ filter })) {
    for (const acl of resource.acls) {
      rows.push(
        describeBinding({
          resourceType: resource.resourceType,
          resourceName: resource.resourceName,
          resourcePatternType: resource.resourcePatternType,
          principal: acl.principal,
          host: acl.host,
          operation: acl.operation,
          permissionType: acl.permissionType,
        }),
      );
    }
  }
  return rows.sort(
    (a, b) =>
      a.resourceType.localeCompare(b.resourceType) ||
      a.resourceName.localeCompare(b.resourceName) ||
      a.principal.localeCompare(b.principal) ||
      a.operation.localeCompare(b.operation),
  );
}

/** Deletes every literal ACL on the topic (what `delete-topic` cleans up). */
export async function deleteTopicAcls(admin: Admin, topic: string): Promise<AclBinding[]> {
  const removed = await admin.deleteAcls({
    filters: [
      {
        resourceType: AclResourceTypes.TOPIC,
        resourceName: topic,
        resourcePatternType: ResourcePatternTypes.LITERAL,
        principal: null,
        host: null,
        operation: AclOperationTypes.ANY,
        permissionType: AclPermissionTypes.ANY,
      },
    ],
  });
  return removed.map(describeBinding);
}
