import type { Command } from 'commander';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { deleteTopicAcls } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { translateKafkaError } from '../../kafka/errors.js';
import { checkTopicName, deleteTopic } from '../../kafka/topics.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface DeleteTopicOptions extends ConnectionFlags {
  yes?: boolean;
  keepAcls?: boolean;
}

export function register(program: Command, ctx: Context): void {
  withConnectionOptions(
    program
      .command('delete-topic')
      .description('delete a topic and the ACLs on it (asks first)')
      .argument('<name>', 'topic name')
      .option('-y, --yes', 'do not ask for confirmation')
      .option('--keep-acls', "leave the topic's ACLs in place"),
  ).action((name: string, options: DeleteTopicOptions) => deleteTopicRun(ctx, name, options));
}

export async function deleteTopicRun(ctx: Context, name: string, options: DeleteTopicOptions): Promise<void> {
  checkTopicName(name);
  if (!options.yes) {
    if (!ctx.canPrompt()) {
      throw new KfeedError('usage', `refusing to delete topic ${name} without confirmation`, { hint: 'pass --yes' });
    }
    if (!(await ctx.promptConfirm(`Delete topic ${name} and all its messages${options.keepAcls ? '' : ' and ACLs'}?`))) {
      throw new KfeedError('usage', 'nothing deleted', { hint: 'answer yes, or pass --yes' });
    }
  }
  const settings = await ctx.connection(connectionFlags(options));
  const result = await withAdmin(settings, async (admin) => {
    await deleteTopic(admin, name);
    if (options.keepAcls) return { acls: [], aclNote: undefined };
    try {
      return { acls: await deleteTopicAcls(admin, name), aclNote: undefined };
    } catch (error) {
      const translated = translateKafkaError(error, settings);
      if (translated.kind !== 'config') throw translated;
      return { acls: [], aclNote: translated.message }; // no authorizer: nothing to remove
    }
  });
  if (ctx.json) return ctx.printJson({ deleted: name, aclsRemoved: result.acls });
  ctx.print(`deleted topic ${name}${options.keepAcls ? '' : `, removed ${result.acls.length} ACL${result.acls.length === 1 ? '' : 's'}`}`);
}
