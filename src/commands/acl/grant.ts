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
  name: 'grant',
  summary: 'allow a client (by certificate or principal) a role on a topic',
  flags: (command) => aclChangeFlags(command, 'grant'),
  validate: validateAclChange,
  run: (ctx, options) => changeAcls(ctx, 'grant', options),
  render: (result, view) =>
    `granted ${result.role} on topic ${result.topic} to ${result.principal}:\n` +
    view.table(result.bindings, ACL_COLUMNS),
  json: (result) => ({ principal: result.principal, role: result.role, topic: result.topic, granted: result.bindings }),
});
