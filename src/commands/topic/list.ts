import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { listAcls, type AclBinding } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { translateKafkaError } from '../../kafka/errors.js';
import { listTopics, type TopicSummary } from '../../kafka/topics.js';
import { ACL_COLUMNS } from '../../render/acls.js';
import { defineCommand } from '../command.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface ListTopicsOptions extends ConnectionFlags {
  internal?: boolean;
  acls: boolean;
}

export interface ListTopicsResult {
  topics: TopicSummary[];
  /** null when not asked for (`--no-acls`) or not readable (see aclError). */
  acls: AclBinding[] | null;
  aclError?: string;
}

export default defineCommand<ListTopicsOptions, ListTopicsResult>({
  name: 'list',
  summary: 'list topics, then the ACLs of the cluster',
  flags: (command) =>
    withConnectionOptions(
      command
        .option('--internal', 'include internal topics (__consumer_offsets, ...)')
        .option('--no-acls', 'topics only'),
    ),
  run: listTopicsRun,
  render: (result, view) => {
    const topics = view.table(
      result.topics,
      [
        { header: 'TOPIC', value: (t) => t.name },
        { header: 'PARTITIONS', value: (t) => t.partitions, align: 'right' },
        { header: 'REPLICATION', value: (t) => t.replicationFactor, align: 'right' },
      ],
      'no topics',
    );
    if (result.aclError) return `${topics}\n\nACLs: not listed (${result.aclError})`;
    if (!result.acls) return topics;
    return `${topics}\n\n${view.table(result.acls, ACL_COLUMNS, 'no ACLs')}`;
  },
});

async function listTopicsRun(ctx: Context, options: ListTopicsOptions): Promise<ListTopicsResult> {
  const settings = await ctx.connection(connectionFlags(options));
  return withAdmin(settings, async (admin) => {
    const topics = await listTopics(admin, { includeInternal: options.internal });
    if (!options.acls) return { topics, acls: null };
    try {
      return { topics, acls: await listAcls(admin) };
    } catch (error) {
      // A cluster without an authorizer, or a client without Describe on the cluster,
      // still has topics worth listing.
      const translated = translateKafkaError(error, settings);
      if (translated.kind !== 'config' && translated.kind !== 'denied') throw translated;
      return { topics, acls: null, aclError: translated.message };
    }
  });
}
