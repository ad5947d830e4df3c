import type { Context } from '../../context.js';
import { aclPhrase } from '../../render/acls.js';
import { checkSubscriberName } from '../../subscribers/registry.js';
import type { SuspendSubscriberResult } from '../../subscribers/suspend.js';
import { defineCommand } from '../command.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';

export interface SuspendSubscriberOptions extends RegistryFlags {
  name: string;
  reason?: string;
}

export default defineCommand<SuspendSubscriberOptions, SuspendSubscriberResult>({
  name: 'suspend',
  summary: 'cut a subscriber off for now: delete its ACLs, keep certificate, record, groups and quota (recorded)',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) =>
    withRegistryOptions(command.option('--reason <text>', 'why (e.g. "invoice 2026-11 unpaid"), kept in the history')),
  validate: (options) => void checkSubscriberName(options.name),
  run: async (ctx: Context, options) => {
    const { access } = await registryAccess(ctx, options);
    const { suspendSubscriber } = await import('../../subscribers/suspend.js');
    return withRegistry(access, () => suspendSubscriber(access, { name: options.name, reason: options.reason }));
  },
  render: (r) => {
    const s = r.subscriber;
    return [
      `suspended     ${s.name} (${s.principal}): ${r.aclsDeleted.length} ACL(s) deleted` +
        (r.beyondRole.length
          ? `, ${r.beyondRole.length} of them beyond its role (${r.beyondRole.map(aclPhrase).join(', ')}; ` +
            'resume does not give these back)'
          : ''),
      ...(s.suspended?.reason ? [`reason        ${s.suspended.reason}`] : []),
      ...(r.iamPrincipal
        ? [`IAM           detach its kfeed policy from ${r.iamPrincipal}: IAM, not Kafka ACLs, decides its access`]
        : []),
      `kept          certificate, record, groups and quota; \`kfeed subscriber resume ${s.name}\` lets it in again`,
    ].join('\n');
  },
});
