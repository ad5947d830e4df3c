import { Option, type Command } from 'commander';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { resourcePath } from '../../package-info.js';
import { chooseKafkaVersion, DEFAULT_KRAFT_KAFKA_VERSION as KRAFT_DEFAULT } from '../../local/versions.js';
import { DEFAULT_ZOOKEEPER_KAFKA_VERSION as ZOOKEEPER_DEFAULT } from '../../local/versions.js';
import { checkScramUser, clusterProfile, startLocalCluster, type ClusterMode, type LocalClusterState } from '../../local/cluster.js';
import { collect, integer } from '../options.js';
import { clusterNameOption, renderStatus } from './shared.js';

export interface UpOptions {
  name: string;
  mode: ClusterMode;
  kafkaVersion?: string;
  brokers?: number;
  requireAcls?: boolean;
  profile?: boolean;
  trustCa?: string[];
  scramUser?: string;
  timeout: number;
}

export function register(group: Command, ctx: Context): void {
  group
    .command('up')
    .description('start a local cluster (KRaft by default) and make it the default profile')
    .addOption(clusterNameOption())
    .addOption(new Option('--mode <mode>', 'metadata mode').choices(['kraft', 'zookeeper']).default('kraft'))
    .option(
      '--kafka-version <version>',
      `Apache Kafka release: 3.9.x or 4.x (default ${KRAFT_DEFAULT}; ${ZOOKEEPER_DEFAULT} for zookeeper mode)`,
    )
    .option('--brokers <n>', 'number of brokers (default 1; 3 for zookeeper mode)', integer('--brokers', 1, 9))
    .option('--require-acls', 'deny clients that no ACL allows (allow.everyone.if.no.acl.found=false, as on MSK)')
    .option('--no-profile', 'do not write or select a profile for the cluster')
    .option('--trust-ca <file>', 'also accept client certificates from this CA (PEM; repeatable)', collect)
    .option('--scram-user <name>', 'add a SASL_SSL listener with this SCRAM-SHA-512 user (KRaft; password from KFEED_SASL_PASSWORD or a prompt)')
    .option('--timeout <seconds>', 'how long to wait for the cluster to serve', integer('--timeout', 5, 3600), 180)
    .action(async (options: UpOptions) => {
      await localUp(ctx, options);
    });
}

async function scramPassword(ctx: Context, user: string): Promise<string> {
  const password = ctx.env.KFEED_SASL_PASSWORD || (await ctx.promptPassword(`SCRAM password for ${user}`, { confirm: true }));
  if (!password) {
    throw new KfeedError('usage', `no password for SCRAM user ${user}`, { hint: 'set KFEED_SASL_PASSWORD or run in a terminal to be asked' });
  }
  return password;
}

export function brokerPom(): string {
  return resourcePath('kafka', 'pom.xml');
}

export async function localUp(ctx: Context, options: UpOptions): Promise<LocalClusterState> {
  const state = await startCluster(ctx, options);
  renderStatus(ctx, state);
  return state;
}

/** Starts (or re-uses) the cluster and writes its profile; status on stderr, nothing on stdout. */
export async function startCluster(ctx: Context, options: UpOptions): Promise<LocalClusterState> {
  const brokers = options.brokers ?? (options.mode === 'zookeeper' ? 3 : 1);
  if (options.scramUser) checkScramUser(options.mode, options.scramUser);
  // Refuse a version that cannot run before the password prompt.
  chooseKafkaVersion({ requested: options.kafkaVersion, mode: options.mode, kafkaHome: ctx.env.KAFKA_HOME });
  const scram = options.scramUser ? { user: options.scramUser, password: await scramPassword(ctx, options.scramUser) } : undefined;
  const progress = ctx.progress(`starting local cluster ${options.name}`);
  let result;
  try {
    result = await startLocalCluster({
      name: options.name,
      mode: options.mode,
      kafkaVersion: options.kafkaVersion,
      brokers,
      requireAcls: Boolean(options.requireAcls),
      trustCa: options.trustCa,
      scram,
      dataDir: ctx.paths.dataDir,
      cacheDir: ctx.paths.cacheDir,
      pom: brokerPom(),
      env: ctx.env,
      timeoutMs: options.timeout * 1000,
      onProgress: (text) => progress.update(text),
    });
  } catch (error) {
    progress.fail(`local cluster ${options.name} did not start`);
    throw error;
  }
  const { state, reused } = result;
  progress.succeed(`local cluster ${state.name} ${reused ? 'is already running' : 'is up'}: Kafka ${state.kafkaVersion}, ${state.mode}, ${state.brokers.length} broker(s)`);
  if (options.profile !== false) {
    ctx.profiles.put(state.name, clusterProfile(state), { makeDefault: true });
    ctx.info(`profile "${state.name}" written and selected: kfeed commands now reach this cluster over mTLS`);
  }
  return state;
}

