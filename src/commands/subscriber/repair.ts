import type { Context } from '../../context.js';
import { aclPhrase } from '../../render/acls.js';
import type { RepairSubscriberResult } from '../../subscribers/repair.js';
import { checkSubscriberName } from '../../subscribers/registry.js';
import { defineCommand } from '../command.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';

export interface RepairSubscriberOptions extends RegistryFlags {
  name: string;
  dryRun?: boolean;
}

export default defineCommand<RepairSubscriberOptions, RepairSubscriberResult>({
  name: 'repair',
  summary: "give a subscriber exactly its role's ACLs: grant the missing, delete those beyond it (recorded)",
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) => withRegistryOptions(command.option('--dry-run', 'only say what would change')),
  validate: (options) => void checkSubscriberName(options.name),
  run: async (ctx: Context, options) => {
    const { access } = await registryAccess(ctx, options);
    const { repairSubscriber } = await import('../../subscribers/repair.js');
    return withRegistry(access, () => repairSubscriber(access, { name: options.name, dryRun: options.dryRun }));
  },
  render: (r) => {
    if (!r.granted.length && !r.deleted.length) return `${r.subscriber.name}: its ACLs are exactly its role's`;
    const verb = r.dryRun ? ['would grant', 'would delete'] : ['granted', 'deleted'];
    return [
      ...(r.granted.length ? [`${verb[0].padEnd(13)} ${r.granted.map(aclPhrase).join(', ')}`] : []),
      ...(r.deleted.length ? [`${verb[1].padEnd(13)} ${r.deleted.map(aclPhrase).join(', ')}`] : []),
    ].join('\n');
  },
});
