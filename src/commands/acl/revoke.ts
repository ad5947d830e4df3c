import { ACL_COLUMNS } from '../../render/acls.js';
import { defineCommand } from '../command.js';
import {
  aclChangeFlags,
  changeAcls,
  validateAclChange,
  type AclChangeOptions,
  type AclChangeResult,
} from './shared.js';

export default defineCommand<AclChangeOptions, AclChangeResult>({
  name: 'revoke',
  summary: 'remove what `acl grant` allowed',
  flags: (command) => aclChangeFlags(command, 'revoke'),
  validate: validateAclChange,
  run: (ctx, options) => changeAcls(ctx, 'revoke', options),
  render: (result, view) =>
    result.bindings.length === 0
      ? `no ACLs of role ${result.role} on ${result.topic} for ${result.principal}: nothing to revoke`
      : `revoked ${result.role} on topic ${result.topic} from ${result.principal}:\n` +
        view.table(result.bindings, ACL_COLUMNS),
  json: (result) => ({ principal: result.principal, role: result.role, topic: result.topic, revoked: result.bindings }),
});
