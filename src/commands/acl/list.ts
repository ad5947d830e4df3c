import type { ConnectionFlags } from '../../config/connection.js';
import { listAcls, type AclBinding } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { checkTopicName } from '../../kafka/topics.js';
import { ACL_COLUMNS } from '../../render/acls.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';
import { refuseAclsOnIam } from '../../aws/msk-iam.js';

export interface AclListOptions extends ConnectionFlags {
  topic?: string;
}

export default defineCommand<AclListOptions, AclBinding[]>({
  name: 'list',
  summary: 'list ACLs (all, or those that apply to a topic)',
  flags: (command) => withConnectionOptions(command.option('--topic <topic>', 'only ACLs that apply to this topic')),
  validate: (options) => {
    if (options.topic && options.topic !== '*') checkTopicName(options.topic);
  },
  run: async (ctx, options) => {
    const settings = await ctx.connection(connectionFlags(options));
    refuseAclsOnIam(settings);
    return withAdmin(settings, (admin) => listAcls(admin, { topic: options.topic }));
  },
  render: (acls, view) => view.table(acls, ACL_COLUMNS, 'no ACLs'),
});
