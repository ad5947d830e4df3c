import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { cancelledError, KfeedError } from '../../errors.js';
import { deleteTopicAcls, type AclBinding } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { translateKafkaError } from '../../kafka/errors.js';
import { checkTopicName, deleteTopic } from '../../kafka/topics.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface DeleteTopicOptions extends ConnectionFlags {
  name: string;
  yes?: boolean;
  keepAcls?: boolean;
}

export interface DeleteTopicResult {
  deleted: string;
  aclsRemoved: AclBinding[];
  /** false with --keep-acls, or when the cluster has no authorizer */
  aclsChecked: boolean;
}

export default defineCommand<DeleteTopicOptions, DeleteTopicResult>({
  name: 'delete',
  summary: 'delete a topic and the ACLs on it (asks first)',
  args: [{ key: 'name', syntax: '<name>', description: 'topic name' }],
  flags: (command) =>
    withConnectionOptions(
      command
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--keep-acls', "leave the topic's ACLs in place"),
    ),
  validate: (options) => checkTopicName(options.name),
  run: deleteTopicRun,
  render: (result) =>
    `deleted topic ${result.deleted}` +
    (result.aclsChecked
      ? `, removed ${result.aclsRemoved.length} ACL${result.aclsRemoved.length === 1 ? '' : 's'}`
      : ''),
});

async function deleteTopicRun(ctx: Context, options: DeleteTopicOptions): Promise<DeleteTopicResult> {
  const { name } = options;
  if (!options.yes) {
    if (!ctx.canPrompt()) {
      throw new KfeedError('usage', `refusing to delete topic ${name} without confirmation`, { hint: 'pass --yes' });
    }
    if (
      !(await ctx.promptConfirm(`Delete topic ${name} and all its messages${options.keepAcls ? '' : ' and ACLs'}?`))
    ) {
      throw cancelledError(`topic ${name} was not deleted`);
    }
  }
  const settings = await ctx.connection(connectionFlags(options));
  return withAdmin(settings, async (admin) => {
    await deleteTopic(admin, name, settings);
    if (options.keepAcls) return { deleted: name, aclsRemoved: [], aclsChecked: false };
    try {
      return { deleted: name, aclsRemoved: await deleteTopicAcls(admin, name), aclsChecked: true };
    } catch (error) {
      const translated = translateKafkaError(error, settings);
      if (translated.kind !== 'config') throw translated;
      return { deleted: name, aclsRemoved: [], aclsChecked: true }; // no authorizer: nothing to remove
    }
  });
}
