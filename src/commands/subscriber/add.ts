import path from 'node:path';
import { Option } from 'commander';
import { readUserFile } from '../../config/files.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { parseBrokerList } from '../../config/connection.js';
import { checkTopicName } from '../../kafka/topics.js';
import type { AddIamSubscriberResult, AddSubscriberResult } from '../../subscribers/add.js';
import {
  checkContact,
  checkGroupPrefix,
  checkSubscriberName,
  SUBSCRIBER_ROLES,
  type SubscriberRole,
} from '../../subscribers/registry.js';
import { aclPhrase } from '../../render/acls.js';
import { defineCommand } from '../command.js';
import { authorityFrom, withCaOptions, type CaFlags } from '../options.js';
import { appliedQuota, quotaText } from '../../subscribers/quota.js';
import {
  quotaChangeOf,
  registryAccess,
  withQuotaOptions,
  withRegistry,
  withRegistryOptions,
  type QuotaFlags,
  type RegistryFlags,
} from './shared.js';

export interface AddSubscriberOptions extends RegistryFlags, CaFlags, QuotaFlags {
  name: string;
  csr?: string;
  principalArn?: string;
  clusterArn?: string;
  topics: string;
  role: SubscriberRole;
  groupPrefix?: string;
  bootstrap?: string;
  outDir?: string;
  contact?: string;
  reuseName?: boolean;
  reusePrincipal?: boolean;
}

/** A client with a certificate (mTLS), or one that connects with IAM (`--principal-arn`). */
export type AddResult = ({ auth: 'mtls' } & AddSubscriberResult) | ({ auth: 'iam' } & AddIamSubscriberResult);

export default defineCommand<AddSubscriberOptions, AddResult>({
  name: 'add',
  summary: 'onboard a client: certificate from its CSR (or an IAM policy), exactly what its role needs, a bundle',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name (letters, digits, . _ -)' }],
  flags: (command) =>
    withRegistryOptions(
      withCaOptions(
        withQuotaOptions(command)
          .option('--csr <file>', "the client's certificate signing request (PEM; `kfeed makecsr` on the client side)")
          .option('--principal-arn <arn>', 'an IAM client instead: its role or user ARN (its bundle holds its policy)')
          .option('--cluster-arn <arn>', 'with --principal-arn: the MSK cluster ARN the policy names')
          .requiredOption('--topics <list>', 'topics it may use, comma-separated (e.g. quote,trade)')
          .addOption(new Option('--role <role>', 'what it may do').choices([...SUBSCRIBER_ROLES]).default('consumer'))
          .option('--group-prefix <prefix>', 'consumer groups it may use start with this (default: NAME-)')
          .option(
            '--bootstrap <list>',
            "brokers the client connects to, host:port,... (default: this connection's brokers)",
          )
          .option('--out-dir <dir>', 'where to write the bundle (default: ./NAME-bundle; must be new or empty)')
          .option('--contact <email>', 'whom to tell about renewals (optional; in list, show and the history)')
          .option(
            '--reuse-name',
            'use the name of a removed subscriber again (a new generation; the history keeps the old)',
          )
          .option(
            '--reuse-principal',
            'use the subject (or IAM principal) of a removed subscriber again: its old certificates work again',
          ),
      ),
    ),
  validate: (options) => {
    checkSubscriberName(options.name);
    topicList(options.topics);
    if (options.groupPrefix !== undefined) checkGroupPrefix(options.groupPrefix);
    if (options.contact !== undefined) checkContact(options.contact);
    quotaChangeOf(options);
    if (Boolean(options.csr) === Boolean(options.principalArn)) {
      throw new KfeedError('usage', 'name the client once: --csr FILE (a certificate) or --principal-arn ARN (IAM)', {
        hint: 'see `kfeed subscriber add --help`',
      });
    }
    if (options.principalArn) {
      if (!options.clusterArn) {
        throw new KfeedError('usage', 'an IAM subscriber needs --cluster-arn (its policy names the cluster)', {
          hint: 'pass --cluster-arn arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID',
        });
      }
      if (!/^arn:aws[\w-]*:(iam|sts)::\d{12}:/.test(options.principalArn)) {
        throw new KfeedError('usage', `"${options.principalArn}" is not an IAM role or user ARN`, {
          hint: 'e.g. arn:aws:iam::123456789012:role/feed-reader',
        });
      }
      if (options.caArn || options.localCa) {
        throw new KfeedError('usage', 'an IAM subscriber gets no certificate', {
          hint: 'leave out --ca-arn / --local-ca',
        });
      }
    }
  },
  run: async (ctx: Context, options) => {
    const topics = topicList(options.topics);
    const groupPrefix = options.groupPrefix ?? `${options.name}-`;
    const outDir = path.resolve(ctx.cwd, options.outDir ?? `${options.name}-bundle`);
    const { addSubscriber, addIamSubscriber } = await import('../../subscribers/add.js');
    const optional = { reuseName: options.reuseName, reusePrincipal: options.reusePrincipal, contact: options.contact };
    const quota = appliedQuota(undefined, quotaChangeOf(options));
    if (options.principalArn) {
      const { access, settings } = await registryAccess(ctx, options);
      // The provider's own connection is often mTLS (9094); an IAM client needs the IAM port.
      if (!options.bootstrap && !settings.iam) {
        throw new KfeedError('usage', 'an IAM subscriber needs the IAM bootstrap brokers (port 9098 or 9198)', {
          hint: 'pass --bootstrap, e.g. from `kfeed msk discover --auth iam --export`',
        });
      }
      const bootstrap = options.bootstrap ? parseBrokerList(options.bootstrap) : settings.brokers;
      const common = {
        name: options.name,
        role: options.role,
        topics,
        groupPrefix,
        bootstrap,
        outDir,
        ...optional,
        quota,
      };
      const input = { ...common, principalArn: options.principalArn, clusterArn: options.clusterArn! };
      const result = await withRegistry(access, () => addIamSubscriber(access, input));
      return { auth: 'iam' as const, ...result };
    }
    const authority = authorityFrom(ctx, options);
    const { parseCsr } = await import('../../certs/csr.js');
    const csrFile = options.csr!;
    const csr = await parseCsr(readUserFile(path.resolve(ctx.cwd, csrFile), 'CSR'), csrFile);
    const { access, settings } = await registryAccess(ctx, options);
    const progress = ctx.progress(`adding subscriber ${options.name}`);
    access.onProgress = (text) => progress.update(text);
    try {
      const result = await withRegistry(access, () =>
        addSubscriber(access, {
          name: options.name,
          csr,
          csrFile,
          role: options.role,
          topics,
          groupPrefix,
          authority,
          validityDays: options.validityDays,
          bootstrap: options.bootstrap ? parseBrokerList(options.bootstrap) : settings.brokers,
          brokerCaPem: settings.tls?.ca,
          outDir,
          ...optional,
          quota,
        }),
      );
      progress.succeed(`subscriber ${options.name} added`);
      return { auth: 'mtls' as const, ...result };
    } catch (error) {
      progress.fail(`subscriber ${options.name} not added`);
      throw error;
    }
  },
  render: (result) => {
    const s = result.subscriber;
    const cert = s.certificates.at(-1);
    const access =
      result.auth === 'iam'
        ? [`IAM policy    ${result.policy.Statement.length} statements in policy.json: attach it to ${s.principal}`]
        : [
            `certificate   serial ${cert!.serialNumber}, valid until ${cert!.notAfter}, from ${cert!.ca}`,
            `ACLs          ${result.aclsGranted.length} (${result.aclsGranted.map(aclPhrase).join(', ')})`,
            ...(s.quota ? [`quota         ${quotaText(s.quota)} per broker`] : []),
          ];
    return [
      `subscriber    ${s.name} (${s.role} of ${s.topics.join(', ')}` +
        `${s.role === 'consumer' ? `; groups ${s.groupPrefix}*` : ''})`,
      `principal     ${s.principal}`,
      ...(s.contact ? [`contact       ${s.contact}`] : []),
      ...access,
      `bundle        ${result.bundle.dir}  (send it to the client; README.md there says how to connect)`,
      ...(result.reused.includes('name')
        ? [
            `generation    ${s.generation} of the name ${s.name} ` +
              `(the earlier ones: \`kfeed subscriber show ${s.name} --history\`)`,
          ]
        : []),
      ...(result.reused.includes('principal')
        ? ['reused        the principal of a removed subscriber: certificates issued to it before work again']
        : []),
    ].join('\n');
  },
});

export function topicList(value: string): string[] {
  const topics = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const topic of topics) checkTopicName(topic);
  return [...new Set(topics)];
}
