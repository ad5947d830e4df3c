import type { Context } from '../../context.js';
import { aclPhrase } from '../../render/acls.js';
import { checkSubscriberName } from '../../subscribers/registry.js';
import type { ResumeSubscriberResult } from '../../subscribers/suspend.js';
import { defineCommand } from '../command.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';

export interface ResumeSubscriberOptions extends RegistryFlags {
  name: string;
}

export default defineCommand<ResumeSubscriberOptions, ResumeSubscriberResult>({
  name: 'resume',
  summary: 'let a suspended subscriber in again: grant exactly the ACLs its role needs (recorded)',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) => withRegistryOptions(command),
  validate: (options) => void checkSubscriberName(options.name),
  run: async (ctx: Context, options) => {
    const { access } = await registryAccess(ctx, options);
    const { resumeSubscriber } = await import('../../subscribers/suspend.js');
    return withRegistry(access, () => resumeSubscriber(access, { name: options.name }));
  },
  render: (r) => {
    const s = r.subscriber;
    const was = r.suspension;
    return [
      `resumed       ${s.name} (${s.principal}): ${r.aclsGranted.length} ACL(s) granted` +
        (r.aclsGranted.length ? ` (${r.aclsGranted.map(aclPhrase).join(', ')})` : ''),
      `was suspended since ${was.at} by ${was.by}${was.reason ? ` (${was.reason})` : ''}`,
      ...(r.iamPrincipal
        ? [`IAM           attach its kfeed policy (policy.json of its bundle) to ${r.iamPrincipal} again`]
        : []),
    ].join('\n');
  },
});
