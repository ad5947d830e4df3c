import { Option } from 'commander';
import {
  createMskClient,
  describeMskCluster,
  getBootstrap,
  listBrokers,
  requireActive,
  type MskBootstrap,
  type MskBroker,
  type MskCluster,
} from '../../aws/msk.js';
import { parseBrokerList } from '../../config/connection.js';
import { checkProfileName, type Profile } from '../../config/profiles.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { defineCommand, type RenderView } from '../command.js';
import {
  clusterArnFor,
  mskClientConfig,
  withAwsOptions,
  withClusterOptions,
  type AwsFlags,
  type ClusterFlags,
} from './aws.js';

type Auth = 'tls' | 'sasl-scram' | 'iam' | 'plaintext';

export interface DiscoverOptions extends AwsFlags, ClusterFlags {
  saveProfile?: string;
  auth?: Auth;
  /** Use the public-access bootstrap strings (9194 / 9196 / 9198). */
  public?: boolean;
  export?: boolean;
  ca?: string;
  cert?: string;
  key?: string;
  saslUser?: string;
}

export interface Discovery {
  cluster: MskCluster;
  bootstrap: MskBootstrap;
  brokers: MskBroker[];
  region?: string;
  /** The profile written (--save-profile). */
  savedProfile?: string;
  /** With --export: the shell variables, instead of the summary. */
  exports?: { TLSBROKERS: string; KFEED_MSK_CLUSTER_ARN: string; KFEED_AUTH?: 'iam'; AWS_REGION?: string };
}

export default defineCommand<DiscoverOptions, Discovery>({
  name: 'discover',
  summary: 'describe an MSK cluster: state, version, metadata mode, auth, brokers and bootstrap strings',
  flags: (command) =>
    withAwsOptions(withClusterOptions(command))
      .option('--save-profile <name>', 'write a kfeed profile that reaches the cluster')
      .addOption(
        new Option(
          '--auth <kind>',
          'which bootstrap string the profile and --export use ' +
            '(default: tls, else sasl-scram, else iam, else plaintext)',
        ).choices(['tls', 'sasl-scram', 'iam', 'plaintext']),
      )
      .option('--public', 'use the public-access bootstrap strings (9194 TLS, 9196 SCRAM, 9198 IAM)')
      .option('--export', 'print shell lines (export TLSBROKERS=...) instead of the summary')
      .option(
        '--ca <file>',
        'with --save-profile: CA file for the profile (default: system roots, which MSK broker certificates chain to)',
      )
      .option('--cert <file>', 'with --save-profile: client certificate for the profile')
      .option('--key <file>', 'with --save-profile: client key for the profile')
      .option('--sasl-user <name>', 'with --save-profile and sasl-scram: the SCRAM user'),
  validate: (options) => {
    if (options.saveProfile) checkProfileName(options.saveProfile);
  },
  run: discoverRun,
  // --export prints the variables alone, as JSON too; otherwise the whole discovery.
  json: (found) => found.exports ?? withoutExports(found),
  render: (found, view) =>
    found.exports
      ? Object.entries(found.exports)
          .map(([name, value]) => `export ${name}='${value}'`)
          .join('\n')
      : renderDiscovery(found, view),
});

function withoutExports(found: Discovery): Omit<Discovery, 'exports'> {
  const { exports: _exports, ...rest } = found;
  return rest;
}

/** The bootstrap string of the chosen (or first available) client authentication mode. */
export function chooseAuth(
  bootstrap: MskBootstrap,
  wanted?: Auth,
  publicAccess = false,
): { auth: Auth; brokers: string } {
  const available: Array<[Auth, string | undefined]> = publicAccess
    ? [
        ['tls', bootstrap.publicTls],
        ['sasl-scram', bootstrap.publicSaslScram],
        ['iam', bootstrap.publicSaslIam],
      ]
    : [
        ['tls', bootstrap.tls],
        ['sasl-scram', bootstrap.saslScram],
        ['iam', bootstrap.saslIam],
        ['plaintext', bootstrap.plaintext],
      ];
  const pick = wanted ? available.find(([a]) => a === wanted) : available.find(([, b]) => b);
  if (!pick || !pick[1]) {
    const where = publicAccess ? 'public ' : '';
    const what = wanted ? `${where}${wanted} bootstrap string` : `${where}bootstrap string kfeed can use`;
    throw new KfeedError('config', `the cluster has no ${what}`, {
      hint: publicAccess
        ? 'turn on public access for the cluster, or leave out --public'
        : 'enable a client authentication mode on the cluster',
    });
  }
  return { auth: pick[0], brokers: pick[1] };
}

/** The region of an MSK cluster ARN (arn:aws:kafka:REGION:ACCOUNT:cluster/...). */
function regionOfArn(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

async function discoverRun(ctx: Context, options: DiscoverOptions): Promise<Discovery> {
  const config = mskClientConfig(ctx, options);
  const client = await createMskClient(config);
  try {
    const arn = await clusterArnFor(ctx, client, {
      clusterArn: options.clusterArn,
      clusterName: options.clusterName,
      profile: undefined,
    });
    const cluster = await describeMskCluster(client, arn);
    requireActive(cluster);
    const [bootstrap, brokers] = await Promise.all([getBootstrap(client, arn), listBrokers(client, arn)]);
    const found: Discovery = {
      cluster,
      bootstrap,
      brokers,
      region: config.region ?? (await client.config.region().catch(() => undefined)),
    };

    if (options.saveProfile) {
      const { auth, brokers: list } = chooseAuth(bootstrap, options.auth, options.public);
      const profile: Profile = {
        brokers: parseBrokerList(list),
        security: auth === 'tls' ? 'ssl' : auth === 'plaintext' ? 'plaintext' : 'sasl_ssl',
        // IAM clients sign tokens with AWS credentials for the cluster's region; no certificate.
        ...(auth === 'iam' ? { auth: 'iam' as const, region: regionOfArn(cluster.arn) ?? found.region } : {}),
        ...(options.ca ? { ca: options.ca } : {}),
        ...(auth === 'tls' && options.cert ? { cert: options.cert } : {}),
        ...(auth === 'tls' && options.key ? { key: options.key } : {}),
        ...(auth === 'sasl-scram' && options.saslUser
          ? { saslUser: options.saslUser, saslMechanism: 'scram-sha-512' as const }
          : {}),
        meta: {
          mskClusterArn: cluster.arn,
          mskClusterName: cluster.name,
          ...(found.region ? { region: found.region } : {}),
          ...(cluster.kafkaVersion ? { kafkaVersion: cluster.kafkaVersion } : {}),
          metadataMode: cluster.mode,
        },
      };
      ctx.profiles.put(options.saveProfile, profile);
      ctx.info(`profile "${options.saveProfile}" written (${auth}, ${profile.brokers.length} brokers)`);
      found.savedProfile = options.saveProfile;
    }
    if (options.export) {
      const { auth, brokers: list } = chooseAuth(bootstrap, options.auth, options.public);
      const region = regionOfArn(cluster.arn) ?? found.region;
      found.exports = {
        TLSBROKERS: list,
        KFEED_MSK_CLUSTER_ARN: cluster.arn,
        ...(auth === 'iam' ? { KFEED_AUTH: 'iam' as const, ...(region ? { AWS_REGION: region } : {}) } : {}),
      };
    }
    return found;
  } finally {
    client.destroy();
  }
}

function renderDiscovery(found: Discovery, view: RenderView): string {
  const { cluster, bootstrap, brokers } = found;
  const auth = Object.entries(cluster.auth)
    .filter(([, on]) => on)
    .map(([name]) => name);
  const lines = [
    `cluster        ${cluster.name}`,
    `arn            ${cluster.arn}`,
    `state          ${cluster.state}`,
    `kafka          ${cluster.kafkaVersion ?? 'unknown'} ` +
      `(${cluster.mode === 'unknown' ? 'metadata mode unknown' : cluster.mode === 'kraft' ? 'KRaft' : 'ZooKeeper'})`,
    `brokers        ${cluster.brokerCount ?? brokers.length}`,
    `client auth    ${auth.join(', ') || 'none reported'}`,
    ...(cluster.configuration
      ? [`configuration  ${cluster.configuration.arn} revision ${cluster.configuration.revision}`]
      : []),
  ];
  const names: Record<keyof MskBootstrap, string> = {
    plaintext: 'plaintext',
    tls: 'tls',
    saslScram: 'sasl/scram',
    saslIam: 'iam',
    publicTls: 'public tls',
    publicSaslScram: 'public scram',
    publicSaslIam: 'public iam',
  };
  for (const [key, value] of Object.entries(bootstrap) as Array<[keyof MskBootstrap, string]>)
    lines.push(`bootstrap ${names[key].padEnd(13)}${value}`);
  const table = view.table(brokers, [
    { header: 'BROKER', value: (b) => b.brokerId, align: 'right' },
    { header: 'ENDPOINTS', value: (b) => b.endpoints.join(',') },
    { header: 'VPC IP', value: (b) => b.clientVpcIp ?? '' },
    { header: 'SUBNET', value: (b) => b.subnet ?? '' },
  ]);
  return `${lines.join('\n')}\n\n${table}`;
}
