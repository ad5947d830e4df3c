import { Option } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { REVOCATION_REASONS, type RevocationReason } from '../../certs/issuing.js';
import { AWS_OPTION_HELP } from '../../aws/config.js';
import type { RemoveSubscriberResult } from '../../subscribers/remove.js';
import { checkSubscriberName } from '../../subscribers/registry.js';
import { aclPhrase } from '../../render/acls.js';
import { quotaText } from '../../subscribers/quota.js';
import { defineCommand } from '../command.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';

export interface RemoveSubscriberOptions extends RegistryFlags {
  name: string;
  revokeCertificate?: boolean;
  reason: RevocationReason;
  yes?: boolean;
  endpointUrl?: string;
  region?: string;
}

export default defineCommand<RemoveSubscriberOptions, RemoveSubscriberResult>({
  name: 'remove',
  summary:
    'cut a subscriber off: delete every ACL and the quota of its principal, optionally revoke its certificates; ' +
    'keep its history',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) =>
    withRegistryOptions(
      command
        .option('--revoke-certificate', 'also revoke its certificates in AWS Private CA')
        .addOption(
          new Option('--reason <reason>', 'revocation reason')
            .choices([...REVOCATION_REASONS])
            .default('CESSATION_OF_OPERATION'),
        )
        .option('-y, --yes', 'do not ask for confirmation')
        .option('--endpoint-url <url>', AWS_OPTION_HELP.endpointUrl)
        .option('--region <region>', AWS_OPTION_HELP.region),
    ),
  validate: (options) => void checkSubscriberName(options.name),
  run: async (ctx: Context, options) => {
    if (!options.yes) {
      if (!ctx.canPrompt())
        throw new KfeedError('usage', `refusing to remove subscriber ${options.name} without confirmation`, {
          hint: 'pass --yes',
        });
      const revoking = options.revokeCertificate ? ' and revoke its certificates' : '';
      const what = `Remove subscriber ${options.name}${revoking}? Its clients lose access at once.`;
      if (!(await ctx.promptConfirm(what))) throw new KfeedError('cancelled', 'cancelled: nothing was removed');
    }
    const { access } = await registryAccess(ctx, options);
    const { removeSubscriber } = await import('../../subscribers/remove.js');
    return withRegistry(access, () =>
      removeSubscriber(access, {
        name: options.name,
        revoke: options.revokeCertificate
          ? { reason: options.reason, endpointUrl: options.endpointUrl, region: options.region, env: ctx.env }
          : undefined,
      }),
    );
  },
  render: (r) =>
    [
      `removed       ${r.subscriber.name} (${r.subscriber.principal}): ${r.aclsRemoved.length} ACL(s) deleted, ` +
        `${r.beyondRole.length} of them beyond its role` +
        (r.beyondRole.length ? ` (${r.beyondRole.map(aclPhrase).join(', ')})` : ''),
      ...(r.quotaRemoved ? [`quota         ${quotaText(r.quotaRemoved)} removed`] : []),
      ...(r.revoked.length ? [`revoked       ${r.revoked.join(', ')}`] : []),
      ...r.notRevoked.map((n) => `not revoked   ${n.serialNumber}: ${n.why}`),
      ...(r.iamPrincipalToDetach
        ? [`IAM           detach its policy from ${r.iamPrincipalToDetach}: IAM, not Kafka, decides its access`]
        : []),
    ].join('\n'),
  // A revocation that was asked for and failed is a failure the operator must see in $?.
  exitCode: (r) => (r.notRevoked.some((n) => n.revocable) ? 10 : 0),
});
