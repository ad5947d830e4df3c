import type { AclBinding } from '../kafka/acls.js';
import type { Column } from './table.js';

export const ACL_COLUMNS: Column<AclBinding>[] = [
  { header: 'PRINCIPAL', value: (a: AclBinding) => a.principal },
  { header: 'PERMISSION', value: (a: AclBinding) => a.permission },
  { header: 'OPERATION', value: (a: AclBinding) => a.operation },
  { header: 'RESOURCE', value: (a: AclBinding) => a.resourceType },
  { header: 'NAME', value: (a: AclBinding) => a.resourceName },
  { header: 'PATTERN', value: (a: AclBinding) => a.patternType },
  { header: 'HOST', value: (a: AclBinding) => a.host },
];

/**
 * One ACL in a sentence: `READ topic quote`, `READ group acme-*` (a prefix ends in `*`); a DENY
 * and a host other than any are said.
 */
export function aclPhrase(a: AclBinding): string {
  const resource = `${a.resourceType.toLowerCase()} ${a.resourceName}${a.patternType === 'PREFIXED' ? '*' : ''}`;
  const host = a.host !== '*' ? ` from ${a.host}` : '';
  return `${a.permission === 'DENY' ? 'DENY ' : ''}${a.operation} ${resource}${host}`;
}
