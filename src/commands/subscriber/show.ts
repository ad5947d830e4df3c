import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import type { AclBinding } from '../../kafka/acls.js';
import type { SubscriberView } from '../../subscribers/lifecycle.js';
import type { PartitionLag } from '../../subscribers/lag.js';
import { defineCommand } from '../command.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';
import { aclPhrase } from '../../render/acls.js';

export interface ShowSubscriberOptions extends RegistryFlags {
  name: string;
}

export interface ShowSubscriberResult {
  subscriber: SubscriberView;
  /** Every ACL its principal holds (those kfeed granted and any others). */
  acls: AclBinding[];
  partitions: PartitionLag[];
}

export default defineCommand<ShowSubscriberOptions, ShowSubscriberResult>({
  name: 'show',
  summary: 'everything about one subscriber: certificates, ACLs, groups and per-partition lag',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) => withRegistryOptions(command),
  run: async (ctx: Context, options) => {
    const { access, settings } = await registryAccess(ctx, options);
    const [{ subscriberOverview }, { groupLagByPrefix, partitionLag }, { listAcls }, { withAdmin }] = await Promise.all(
      [
        import('../../subscribers/lifecycle.js'),
        import('../../subscribers/lag.js'),
        import('../../kafka/acls.js'),
        import('../../kafka/client.js'),
      ],
    );
    return withRegistry(access, async () => {
      const overview = await subscriberOverview(access, {
        expiringDays: 30,
        groupLag: (prefixes) => groupLagByPrefix(settings, prefixes),
      });
      const subscriber = overview.subscribers.find((s) => s.name === options.name);
      if (!subscriber) {
        throw new KfeedError('notFound', `no subscriber named ${options.name}`, {
          hint: 'list them with `kfeed subscriber list --removed`',
        });
      }
      const acls = (await withAdmin(settings, (admin) => listAcls(admin))).filter(
        (a) => a.principal === subscriber.principal,
      );
      const partitions = await partitionLag(
        settings,
        subscriber.groups.map((g) => g.group),
      );
      return { subscriber, acls, partitions };
    });
  },
  render: ({ subscriber: s, acls, partitions }, view) =>
    [
      `subscriber    ${s.name} (${s.state})`,
      `principal     ${s.principal}`,
      `role          ${s.role} of ${s.topics.join(', ')}${s.role === 'consumer' ? `; groups ${s.groupPrefix}*` : ''}`,
      `created       ${s.record.createdAt} by ${s.record.createdBy}`,
      ...(s.record.removedAt ? [`removed       ${s.record.removedAt} by ${s.record.removedBy}`] : []),
      '',
      view
        .table(s.record.certificates, [
          { header: 'SERIAL', value: (c) => c.serialNumber },
          { header: 'NOT AFTER', value: (c) => c.notAfter },
          { header: 'CA', value: (c) => c.ca },
          { header: 'REVOKED', value: (c) => (c.revokedAt ? `${c.revokedAt} (${c.revocationReason})` : '-') },
        ])
        .trimEnd(),
      '',
      view
        .table(
          acls,
          [
            { header: 'OPERATION', value: (a) => a.operation },
            {
              header: 'RESOURCE',
              value: (a) =>
                `${a.resourceType.toLowerCase()} ${a.resourceName}${a.patternType === 'PREFIXED' ? '*' : ''}`,
            },
            { header: 'PERMISSION', value: (a) => a.permission },
          ],
          'no ACLs',
        )
        .trimEnd(),
      ...(s.missingAcls.length ? [`missing ACLs: ${s.missingAcls.map(aclPhrase).join(', ')}`] : []),
      '',
      view
        .table(
          partitions,
          [
            { header: 'GROUP', value: (p) => p.group },
            { header: 'TOPIC', value: (p) => p.topic },
            { header: 'PARTITION', value: (p) => p.partition, align: 'right' },
            { header: 'COMMITTED', value: (p) => p.committedOffset ?? '-', align: 'right' },
            { header: 'END', value: (p) => p.logEndOffset, align: 'right' },
            { header: 'LAG', value: (p) => p.lag ?? '-', align: 'right' },
            { header: 'LAG S', value: (p) => p.lagSeconds ?? '-', align: 'right' },
          ],
          'no consumer groups yet',
        )
        .trimEnd(),
    ].join('\n'),
});
