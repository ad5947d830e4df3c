import type { Command } from 'commander';
import type { ConnectionFlags } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { listAcls, type AclBinding } from '../../kafka/acls.js';
import { withAdmin } from '../../kafka/client.js';
import { translateKafkaError } from '../../kafka/errors.js';
import { listTopics } from '../../kafka/topics.js';
import { ACL_COLUMNS } from '../../render/acls.js';
import { connectionFlags, withConnectionOptions } from '../options.js';

export interface ListTopicsOptions extends ConnectionFlags {
  internal?: boolean;
  acls: boolean;
}

export function register(program: Command, ctx: Context): void {
  withConnectionOptions(
    program
      .command('list-topics')
      .description('list topics, then the ACLs of the cluster')
      .option('--internal', 'include internal topics (__consumer_offsets, ...)')
      .option('--no-acls', 'topics only'),
  ).action((options: ListTopicsOptions) => listTopicsRun(ctx, options));
}

export async function listTopicsRun(ctx: Context, options: ListTopicsOptions): Promise<void> {
  const settings = await ctx.connection(connectionFlags(options));
  const { topics, acls, aclNote } = await withAdmin(settings, async (admin) => {
    const topics = await listTopics(admin, { includeInternal: options.internal });
    let acls: AclBinding[] | undefined;
    let aclNote: string | undefined;
    if (options.acls) {
      try {
        acls = await listAcls(admin);
      } catch (error) {
        // A cluster without an authorizer, or a client without Describe on the cluster,
        // still has topics worth listing.
        const translated = translateKafkaError(error, settings);
        if (translated.kind !== 'config' && translated.kind !== 'denied') throw translated;
        aclNote = translated.message;
      }
    }
    return { topics, acls, aclNote };
  });
  if (ctx.json) return ctx.printJson({ topics, acls: acls ?? null, ...(aclNote ? { aclError: aclNote } : {}) });
  ctx.printTable(
    topics,
    [
      { header: 'TOPIC', value: (t) => t.name },
      { header: 'PARTITIONS', value: (t) => t.partitions, align: 'right' },
      { header: 'REPLICATION', value: (t) => t.replicationFactor, align: 'right' },
    ],
    'no topics',
  );
  if (!options.acls) return;
  ctx.print('');
  if (aclNote) ctx.print(`ACLs: not listed (${aclNote})`);
  else ctx.printTable(acls ?? [], ACL_COLUMNS, 'no ACLs');
}
