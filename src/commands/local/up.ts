import { Option } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError, usageError } from '../../errors.js';
import { checkScramUser, type ClusterMode } from '../../local/cluster.js';
import { bringUpCluster } from '../../local/lifecycle.js';
import { resourcePath } from '../../package-info.js';
import { chooseKafkaVersion, DEFAULT_KRAFT_KAFKA_VERSION as KRAFT_DEFAULT } from '../../local/versions.js';
import { DEFAULT_ZOOKEEPER_KAFKA_VERSION as ZOOKEEPER_DEFAULT } from '../../local/versions.js';
import { defineCommand } from '../command.js';
import { collect, integer } from '../options.js';
import { clusterNameOption, clusterView, renderClusterView, type ClusterView } from './shared.js';

export interface UpOptions {
  name: string;
  mode: ClusterMode;
  kafkaVersion?: string;
  brokerCount?: number;
  /** The old spelling of --broker-count (hidden): `--brokers` is a host:port list everywhere else. */
  brokers?: number;
  requireAcls?: boolean;
  profile?: boolean;
  default?: boolean;
  trustCa?: string[];
  scramUser?: string;
  iam?: boolean;
  iamRegion?: string;
  iamTokenLifetime?: number;
  timeout: number;
}

export default defineCommand<UpOptions, ClusterView>({
  name: 'up',
  summary: 'start a local cluster (KRaft by default) and write its profile (the default one if there is none)',
  flags: (command) =>
    command
      .addOption(clusterNameOption())
      .addOption(new Option('--mode <mode>', 'metadata mode').choices(['kraft', 'zookeeper']).default('kraft'))
      .option(
        '--kafka-version <version>',
        `Apache Kafka release: 3.9.x or 4.x (default ${KRAFT_DEFAULT}; ${ZOOKEEPER_DEFAULT} for zookeeper mode)`,
      )
      .option(
        '--broker-count <n>',
        'number of brokers (default 1; 3 for zookeeper mode)',
        integer('--broker-count', 1, 9),
      )
      .addOption(new Option('--brokers <n>', 'same as --broker-count').argParser(integer('--brokers', 1, 9)).hideHelp())
      .option('--require-acls', 'deny clients that no ACL allows (allow.everyone.if.no.acl.found=false, as on MSK)')
      .option('--no-profile', 'do not write or select a profile for the cluster')
      .option('--default', "make the cluster's profile the default even when another profile is")
      .option('--trust-ca <file>', 'also accept client certificates from this CA (PEM; repeatable)', collect)
      .option(
        '--scram-user <name>',
        'add a SASL_SSL listener with this SCRAM-SHA-512 user (KRaft; password from KFEED_SASL_PASSWORD or a prompt)',
      )
      .option('--iam', 'add a SASL_SSL listener that checks MSK IAM tokens (OAUTHBEARER) against a local access key')
      .option('--iam-region <region>', 'the region IAM tokens must be signed for', 'us-east-1')
      .option(
        '--iam-token-lifetime <seconds>',
        'how long an IAM session lasts before re-authentication (a token: until its own expiry, as on MSK)',
        integer('--iam-token-lifetime', 5, 900),
        900,
      )
      .option('--timeout <seconds>', 'how long to wait for the cluster to serve', integer('--timeout', 5, 3600), 180),
  validate: (options) => {
    brokerCount(options);
    if (options.default && options.profile === false)
      throw usageError(
        '--default and --no-profile exclude each other',
        'a cluster without a profile cannot be the default',
      );
    if (options.scramUser) checkScramUser(options.mode, options.scramUser);
  },
  run: async (ctx, options) => clusterView(await startCluster(ctx, options)),
  render: (view, { colorful }) => renderClusterView(view, colorful),
});

/** --broker-count, or its old spelling --brokers; the default follows the mode. */
export function brokerCount(options: Pick<UpOptions, 'brokerCount' | 'brokers' | 'mode'>): number {
  if (options.brokerCount !== undefined && options.brokers !== undefined && options.brokerCount !== options.brokers) {
    throw usageError(
      '--broker-count and --brokers (its old spelling) say different counts',
      'give --broker-count only',
    );
  }
  return options.brokerCount ?? options.brokers ?? (options.mode === 'zookeeper' ? 3 : 1);
}

async function scramPassword(ctx: Context, user: string): Promise<string> {
  const password =
    ctx.env.KFEED_SASL_PASSWORD || (await ctx.promptPassword(`SCRAM password for ${user}`, { confirm: true }));
  if (!password) {
    throw new KfeedError('usage', `no password for SCRAM user ${user}`, {
      hint: 'set KFEED_SASL_PASSWORD or run in a terminal to be asked',
    });
  }
  return password;
}

async function startCluster(ctx: Context, options: UpOptions) {
  // A version that cannot run is refused before the password prompt.
  chooseKafkaVersion({ requested: options.kafkaVersion, mode: options.mode, kafkaHome: ctx.env.KAFKA_HOME });
  const scram = options.scramUser
    ? { user: options.scramUser, password: await scramPassword(ctx, options.scramUser) }
    : undefined;
  const progress = ctx.progress(`starting local cluster ${options.name}`);
  let result;
  try {
    result = await bringUpCluster({
      name: options.name,
      mode: options.mode,
      kafkaVersion: options.kafkaVersion,
      brokers: brokerCount(options),
      requireAcls: Boolean(options.requireAcls),
      trustCa: options.trustCa,
      scram,
      iam: options.iam
        ? {
            region: options.iamRegion ?? 'us-east-1',
            lifetimeSeconds: options.iamTokenLifetime ?? 900,
            resourcesDir: resourcePath('iam'),
          }
        : undefined,
      dataDir: ctx.paths.dataDir,
      cacheDir: ctx.paths.cacheDir,
      env: ctx.env,
      timeoutMs: options.timeout * 1000,
      onProgress: (text) => progress.update(text),
      signal: ctx.abort.signal,
      profiles: ctx.profiles,
      writeProfile: options.profile !== false,
      makeDefault: options.default ? 'always' : 'if-no-other',
    });
  } catch (error) {
    progress.fail(startFailureLine(ctx, options.name, error));
    throw error;
  }
  const { state, reused, profileWritten, defaultProfile } = result;
  const brokers = `${state.brokers.length} broker(s)`;
  progress.succeed(
    `local cluster ${state.name} ${reused ? 'is already running' : 'is up'}: ` +
      `Kafka ${state.kafkaVersion}, ${state.mode}, ${brokers}`,
  );
  if (profileWritten && defaultProfile === state.name) {
    ctx.info(`profile "${state.name}" written and selected: kfeed commands now reach this cluster over mTLS`);
  } else if (profileWritten) {
    ctx.info(
      `profile "${state.name}" written; the default profile stays "${defaultProfile}": ` +
        `pass --profile ${state.name}, or switch with \`kfeed profile use ${state.name}\``,
    );
  }
  return state;
}

function startFailureLine(ctx: Context, name: string, error: unknown): string {
  if (ctx.abort.signal.aborted) return `stopped: local cluster ${name} was not started; nothing of it is left`;
  if (error instanceof KfeedError && error.kind === 'conflict') return `local cluster ${name} keeps running as it is`;
  return `local cluster ${name} did not start`;
}
