import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import type { AclBinding } from '../../kafka/acls.js';
import { bindingKey } from '../../subscribers/acls.js';
import type { SubscriberEvent } from '../../subscribers/history.js';
import type { SubscriberView } from '../../subscribers/overview.js';
import type { PartitionLag } from '../../subscribers/lag.js';
import { generationOf } from '../../subscribers/registry.js';
import { defineCommand, type RenderView } from '../command.js';
import { formatSeconds } from '../group/shared.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';
import { lagText, timeLeftText } from '../../render/subscribers.js';
import { aclPhrase } from '../../render/acls.js';
import { quotaDiffers, quotaText } from '../../subscribers/quota.js';

export interface ShowSubscriberOptions extends RegistryFlags {
  name: string;
  history?: boolean;
}

export interface ShowSubscriberResult {
  subscriber: SubscriberView;
  /** Every ACL its principal holds (those its role needs and any others: see subscriber.excessAcls). */
  acls: AclBinding[];
  partitions: PartitionLag[];
  /** Every recorded change of this name, all generations, oldest first. */
  history: SubscriberEvent[];
  /** Whether the text shows the history (`--json` always has it). */
  showHistory: boolean;
}

export default defineCommand<ShowSubscriberOptions, ShowSubscriberResult>({
  name: 'show',
  summary: 'everything about one subscriber: certificates, ACLs (beyond its role flagged), groups, lag, history',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) =>
    withRegistryOptions(
      command.option('--history', 'also every change: who, when, what (all generations of the name)'),
    ),
  run: async (ctx: Context, options) => {
    const { access, settings } = await registryAccess(ctx, options);
    const [
      { subscriberOverview },
      { groupLagByPrefix, partitionLag },
      { listAcls },
      { readHistory },
      { withRegistryAdmin },
    ] = await Promise.all([
      import('../../subscribers/overview.js'),
      import('../../subscribers/lag.js'),
      import('../../kafka/acls.js'),
      import('../../subscribers/history.js'),
      import('../../subscribers/shared.js'),
    ]);
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
      const acls = (await withRegistryAdmin(access, (admin) => listAcls(admin))).filter(
        (a) => a.principal === subscriber.principal,
      );
      const partitions = await partitionLag(
        settings,
        subscriber.groups.map((g) => g.group),
      );
      const history = await readHistory(access.settings, access.historyTopic, options.name, access.signal);
      return { subscriber, acls, partitions, history, showHistory: Boolean(options.history) };
    });
  },
  json: ({ showHistory: _, ...result }) => result,
  render: (result, view) => renderShow(result, view),
});

function renderShow({ subscriber: s, acls, partitions, history, showHistory }: ShowSubscriberResult, view: RenderView) {
  const excess = new Set(s.excessAcls.map(bindingKey));
  const cert = s.certificate;
  const largest = s.groups.find((g) => g.group === s.lagGroup);
  return [
    `subscriber    ${s.name} (${s.state})${generationOf(s.record) > 1 ? `, generation ${generationOf(s.record)}` : ''}`,
    `principal     ${s.principal}`,
    `role          ${s.role} of ${s.topics.join(', ')}${s.role === 'consumer' ? `; groups ${s.groupPrefix}*` : ''}`,
    ...(s.contact ? [`contact       ${s.contact}`] : []),
    `created       ${s.record.createdAt} by ${s.record.createdBy}`,
    ...(s.record.removedAt ? [`removed       ${s.record.removedAt} by ${s.record.removedBy}`] : []),
    ...(s.suspension
      ? [
          `suspended     ${s.suspension.at} by ${s.suspension.by}` +
            `${s.suspension.reason ? `: ${s.suspension.reason}` : ''} (\`kfeed subscriber resume ${s.name}\`)`,
        ]
      : []),
    ...(s.state !== 'removed' && s.record.auth !== 'iam'
      ? [
          `quota         ${quotaText(s.quota)}` +
            (quotaDiffers(s.record.quota, s.quota)
              ? `, but ${quotaText(s.record.quota ?? {})} recorded (drift: \`kfeed subscriber set ${s.name}\`)`
              : ''),
        ]
      : []),
    ...(s.record.previousGenerations ?? []).map(
      (g) => `earlier       generation ${g.generation}: ${g.principal}, removed ${g.removedAt} by ${g.removedBy}`,
    ),
    ...(cert && s.state !== 'removed' ? [`expires       in ${timeLeftText(s)} (serial ${cert.serialNumber})`] : []),
    ...(s.role === 'consumer' && s.state !== 'removed'
      ? [
          `lag           ${
            largest
              ? `${largest.lag} message(s), ${formatSeconds(s.lagSeconds)} behind (largest: group ${largest.group})`
              : lagText(s)
          }`,
        ]
      : []),
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
            value: (a) => `${a.resourceType.toLowerCase()} ${a.resourceName}${a.patternType === 'PREFIXED' ? '*' : ''}`,
          },
          { header: 'PERMISSION', value: (a) => a.permission },
          { header: 'HOST', value: (a) => a.host },
          { header: 'NOTE', value: (a) => (excess.has(bindingKey(a)) ? 'BEYOND ITS ROLE (drift)' : '') },
        ],
        'no ACLs',
      )
      .trimEnd(),
    ...(s.missingAcls.length ? [`missing ACLs: ${s.missingAcls.map(aclPhrase).join(', ')}`] : []),
    ...(s.excessAcls.length || s.missingAcls.length
      ? [`drift: \`kfeed subscriber repair ${s.name}\` gives it exactly its role's ACLs`]
      : []),
    '',
    view
      .table(
        s.groups,
        [
          { header: 'GROUP', value: (g) => g.group },
          { header: 'STATE', value: (g) => g.state },
          { header: 'MEMBERS', value: (g) => g.members, align: 'right' },
          { header: 'LAG', value: (g) => g.lag ?? 'no commits', align: 'right' },
          { header: 'LAG TIME', value: (g) => formatSeconds(g.lagSeconds), align: 'right' },
        ],
        'no consumer groups yet',
      )
      .trimEnd(),
    ...(partitions.length
      ? [
          '',
          view
            .table(partitions, [
              { header: 'GROUP', value: (p) => p.group },
              { header: 'TOPIC', value: (p) => p.topic },
              { header: 'PARTITION', value: (p) => p.partition, align: 'right' },
              { header: 'COMMITTED', value: (p) => p.committedOffset ?? '-', align: 'right' },
              { header: 'END', value: (p) => p.logEndOffset, align: 'right' },
              { header: 'LAG', value: (p) => p.lag ?? '-', align: 'right' },
              { header: 'LAG S', value: (p) => p.lagSeconds ?? '-', align: 'right' },
            ])
            .trimEnd(),
        ]
      : []),
    '',
    showHistory
      ? view
          .table(
            history,
            [
              { header: 'WHEN', value: (e) => e.at },
              { header: 'WHO', value: (e) => e.by },
              { header: 'GEN', value: (e) => e.generation, align: 'right' },
              { header: 'WHAT', value: (e) => e.what },
            ],
            'no history recorded (changes made before kfeed kept one)',
          )
          .trimEnd()
      : `history       ${history.length} change(s); \`kfeed subscriber show ${s.name} --history\` lists them`,
  ].join('\n');
}
