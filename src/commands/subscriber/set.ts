import type { Context } from '../../context.js';
import { quotaText, requireQuotaChange } from '../../subscribers/quota.js';
import { checkSubscriberName } from '../../subscribers/registry.js';
import type { SetSubscriberResult } from '../../subscribers/set.js';
import { defineCommand } from '../command.js';
import {
  quotaChangeOf,
  registryAccess,
  withQuotaOptions,
  withRegistry,
  withRegistryOptions,
  type QuotaFlags,
  type RegistryFlags,
} from './shared.js';

export interface SetSubscriberOptions extends RegistryFlags, QuotaFlags {
  name: string;
}

export default defineCommand<SetSubscriberOptions, SetSubscriberResult>({
  name: 'set',
  summary: "change a subscriber's quota: bytes per second, request time (Kafka client quotas; recorded)",
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) => withRegistryOptions(withQuotaOptions(command, { removable: true })),
  validate: (options) => {
    checkSubscriberName(options.name);
    requireQuotaChange(quotaChangeOf(options));
  },
  run: async (ctx: Context, options) => {
    const { access } = await registryAccess(ctx, options);
    const { setSubscriber } = await import('../../subscribers/set.js');
    return withRegistry(access, () => setSubscriber(access, { name: options.name, quota: quotaChangeOf(options) }));
  },
  render: (r) =>
    `quota         ${r.subscriber.name} (${r.subscriber.principal}): ${quotaText(r.quota)}` +
    (r.quota.maxBytesPerSecond || r.quota.maxRequestPercent ? ' per broker' : ''),
});
