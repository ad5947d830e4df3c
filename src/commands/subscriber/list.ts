import type { Context } from '../../context.js';
import type { SubscriberOverview, SubscriberView } from '../../subscribers/overview.js';
import { lagText, timeLeftText } from '../../render/subscribers.js';
import { defineCommand, type RenderView } from '../command.js';
import { integer } from '../options.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';
import { aclPhrase } from '../../render/acls.js';
import { quotaText } from '../../subscribers/quota.js';

export interface ListSubscribersOptions extends RegistryFlags {
  check?: boolean;
  /** Given: list only the subscribers whose certificate ends within this many days (or has ended). */
  expiringDays?: number;
  maxLagSeconds?: number;
  removed?: boolean;
}

export interface ListSubscribersResult extends SubscriberOverview {
  /** What `--check` fails on; empty when all is well. */
  problems: string[];
}

/** What `--check` calls "expiring" when --expiring-days is not given. */
const DEFAULT_EXPIRING_DAYS = 30;

export default defineCommand<ListSubscribersOptions, ListSubscribersResult>({
  name: 'list',
  summary: 'every subscriber: role, topics, largest lag, certificate expiry, state, and ACL drift',
  flags: (command) =>
    withRegistryOptions(
      command
        .option(
          '--check',
          'exit 11 when a certificate expires soon, a subscriber lags too much, or ACLs drifted (for cron / CI)',
        )
        .option(
          '--expiring-days <days>',
          'list only subscribers whose certificate ends within this many days or has ended ' +
            '(for renewal reminders; also what --check calls "expiring", default 30)',
          integer('--expiring-days', 0, 3650),
        )
        .option(
          '--max-lag-seconds <s>',
          'with --check: a subscriber further behind than this fails the check',
          integer('--max-lag-seconds', 0),
        )
        .option('--removed', 'also list removed subscribers'),
    ),
  run: (ctx, options) => listSubscribers(ctx, options),
  render: (result, view) => renderOverview(result, view),
  exitCode: (result) => (result.problems.length ? 11 : 0),
});

export async function listSubscribers(ctx: Context, options: ListSubscribersOptions): Promise<ListSubscribersResult> {
  const { access, settings } = await registryAccess(ctx, options);
  const [{ subscriberOverview }, { groupLagByPrefix }, { kafkaPrincipalOfCertificate }] = await Promise.all([
    import('../../subscribers/overview.js'),
    import('../../subscribers/lag.js'),
    import('../../certs/principal.js'),
  ]);
  const overview = await withRegistry(access, () =>
    subscriberOverview(access, {
      expiringDays: options.expiringDays ?? DEFAULT_EXPIRING_DAYS,
      groupLag: (prefixes) => groupLagByPrefix(settings, prefixes),
      // The connection's own principal manages the cluster: its ACLs are not drift.
      ignorePrincipals: settings.tls?.cert ? [kafkaPrincipalOfCertificate(settings.tls.cert)] : [],
    }),
  );
  const subscribers = overview.subscribers.filter((s) =>
    options.expiringDays !== undefined
      ? s.certificate && (s.state === 'expiring' || s.state === 'expired')
      : options.removed || s.state !== 'removed',
  );
  return { ...overview, subscribers, problems: options.check ? problemsOf(overview, options) : [] };
}

function problemsOf(overview: SubscriberOverview, options: ListSubscribersOptions): string[] {
  const problems: string[] = [];
  for (const s of overview.subscribers) {
    if (s.state === 'expired') problems.push(`${s.name}: certificate expired (${s.certificate?.notAfter ?? 'none'})`);
    if (s.state === 'expiring')
      problems.push(`${s.name}: certificate expires in ${timeLeftText(s)} (${s.certificate?.notAfter})`);
    if (options.maxLagSeconds !== undefined && (s.lagSeconds ?? 0) > options.maxLagSeconds)
      problems.push(`${s.name}: ${s.lagSeconds} s behind (limit ${options.maxLagSeconds} s)`);
  }
  for (const d of overview.drift.missingAcls) problems.push(`${d.name}: ${d.acls.length} ACL(s) missing`);
  const suspended = suspendedNames(overview);
  for (const d of overview.drift.excessAcls)
    problems.push(
      suspended.has(d.name)
        ? `${d.name}: holds ${d.acls.length} ACL(s) while suspended`
        : `${d.name}: ${d.acls.length} ACL(s) beyond its role`,
    );
  for (const d of overview.drift.quotas)
    problems.push(
      `${d.name}: quota in force (${quotaText(d.inForce)}) is not the recorded one (${quotaText(d.recorded ?? {})})`,
    );
  for (const d of overview.drift.unknownPrincipals)
    problems.push(`${d.principal}: holds ${d.acls.length} ACL(s) but is no subscriber`);
  return problems;
}

/** Suspended subscribers hold no ACLs: any they hold is drift of its own kind. */
function suspendedNames(overview: SubscriberOverview): Set<string> {
  return new Set(overview.subscribers.filter((s) => s.state === 'suspended').map((s) => s.name));
}

const dash = (v: number | string | null | undefined) => (v === null || v === undefined ? '-' : String(v));

export function subscriberColumns(view: RenderView, rows: SubscriberView[]): string {
  return view.table(
    rows,
    [
      { header: 'NAME', value: (s) => s.name },
      { header: 'ROLE', value: (s) => s.role },
      { header: 'TOPICS', value: (s) => s.topics.join(',') },
      { header: 'GROUPS', value: (s) => (s.role === 'consumer' ? `${s.groupPrefix}* (${s.groups.length})` : '-') },
      { header: 'LAG', value: (s) => lagText(s), align: 'right' },
      { header: 'LAG S', value: (s) => dash(s.lagSeconds), align: 'right' },
      { header: 'CONTACT', value: (s) => dash(s.contact) },
      { header: 'SERIAL', value: (s) => dash(s.certificate?.serialNumber.slice(0, 16)) },
      { header: 'EXPIRES', value: (s) => dash(s.certificate?.notAfter.slice(0, 10)) },
      {
        header: 'QUOTA',
        value: (s) => (s.quota.maxBytesPerSecond || s.quota.maxRequestPercent ? quotaText(s.quota) : '-'),
      },
      { header: 'STATE', value: (s) => s.state },
    ],
    'no subscribers',
  );
}

function renderOverview(result: ListSubscribersResult, view: RenderView): string {
  const lines = [subscriberColumns(view, result.subscribers).trimEnd()];
  const { unknownPrincipals, missingAcls, excessAcls, quotas } = result.drift;
  if (unknownPrincipals.length || missingAcls.length || excessAcls.length || quotas.length) {
    lines.push('', 'drift:');
    for (const d of missingAcls) lines.push(`  ${d.name}: missing ${d.acls.map(aclPhrase).join(', ')}`);
    const suspended = suspendedNames(result);
    for (const d of excessAcls)
      lines.push(
        `  ${d.name}: ${suspended.has(d.name) ? 'holds while suspended' : 'beyond its role'} ` +
          d.acls.map(aclPhrase).join(', '),
      );
    for (const d of quotas)
      lines.push(`  ${d.name}: quota ${quotaText(d.inForce)} in force, ${quotaText(d.recorded ?? {})} recorded`);
    for (const d of unknownPrincipals) lines.push(`  ${d.principal}: ${d.acls.length} ACL(s), not a subscriber`);
    if (missingAcls.length || excessAcls.length)
      lines.push("  (`kfeed subscriber repair NAME` gives a subscriber exactly its role's ACLs)");
    if (quotas.length)
      lines.push('  (`kfeed subscriber set NAME --max-bytes-per-second ...` sets and records a quota)');
  }
  if (result.problems.length)
    lines.push('', `check failed (${result.problems.length}):`, ...result.problems.map((p) => `  ${p}`));
  return lines.join('\n');
}
