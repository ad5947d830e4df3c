import fs from 'node:fs';
import path from 'node:path';
import { Command, Option } from 'commander';
import { resourcePath } from '../../package-info.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import {
  brokerLogFile,
  clusterEndpoints,
  clusterProfile,
  listClusterNames,
  localClusterStatus,
  readClusterState,
  startLocalCluster,
  stopLocalCluster,
  type ClusterMode,
  type LocalClusterState,
} from '../../local/cluster.js';
import { collect, integer } from '../options.js';

export interface UpOptions {
  name: string;
  mode: ClusterMode;
  brokers?: number;
  requireAcls?: boolean;
  profile?: boolean;
  trustCa?: string[];
  timeout: number;
}

export function register(program: Command, ctx: Context): void {
  const local = program.command('local').description('run a real Apache Kafka with mTLS on this machine');
  const name = () => new Option('--name <name>', 'cluster name (several can run at once)').default('local');

  local
    .command('up')
    .description('start a local cluster (KRaft by default) and make it the default profile')
    .addOption(name())
    .addOption(new Option('--mode <mode>', 'metadata mode').choices(['kraft', 'zookeeper']).default('kraft'))
    .option('--brokers <n>', 'number of brokers (default 1; 3 for zookeeper mode)', integer('--brokers', 1, 9))
    .option('--require-acls', 'deny clients that no ACL allows (allow.everyone.if.no.acl.found=false, as on MSK)')
    .option('--no-profile', 'do not write or select a profile for the cluster')
    .option('--trust-ca <file>', 'also accept client certificates from this CA (PEM; repeatable)', collect)
    .option('--timeout <seconds>', 'how long to wait for the cluster to serve', integer('--timeout', 5, 3600), 180)
    .action(async (options: UpOptions) => {
      await localUp(ctx, options);
    });

  local
    .command('status')
    .description('show whether the cluster runs, its addresses and files')
    .addOption(name())
    .option('--all', 'every local cluster')
    .action((options: { name: string; all?: boolean }) => localStatus(ctx, options));

  local
    .command('logs')
    .description('print the log of a broker (or ZooKeeper)')
    .addOption(name())
    .option('--broker <id>', 'broker id', integer('--broker', 1, 99), 1)
    .option('--zookeeper', 'the ZooKeeper log instead')
    .option('-n, --lines <n>', 'last N lines', integer('--lines', 1, 1_000_000), 100)
    .action((options: { name: string; broker: number; zookeeper?: boolean; lines: number }) => localLogs(ctx, options));

  local
    .command('down')
    .description('stop the cluster and delete its data, certificates and profile')
    .addOption(name())
    .action((options: { name: string }) => localDown(ctx, options));
}

export function brokerPom(): string {
  return resourcePath('kafka', 'pom.xml');
}

export async function localUp(ctx: Context, options: UpOptions): Promise<LocalClusterState> {
  const brokers = options.brokers ?? (options.mode === 'zookeeper' ? 3 : 1);
  const progress = ctx.progress(`starting local cluster ${options.name}`);
  let result;
  try {
    result = await startLocalCluster({
      name: options.name,
      mode: options.mode,
      brokers,
      requireAcls: Boolean(options.requireAcls),
      trustCa: options.trustCa,
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
  renderStatus(ctx, state);
  return state;
}

function renderStatus(ctx: Context, state: LocalClusterState): void {
  const status = localClusterStatus(state);
  if (ctx.json) {
    ctx.printJson({
      name: state.name,
      mode: state.mode,
      kafkaVersion: state.kafkaVersion,
      requireAcls: state.requireAcls,
      running: status.brokers.every((b) => b.running),
      bootstrap: clusterEndpoints(state),
      brokers: status.brokers,
      zookeeper: status.zookeeper,
      files: state.files,
      principals: state.principals,
    });
    return;
  }
  const endpoints = clusterEndpoints(state);
  ctx.print(
    [
      `cluster       ${state.name} (${state.mode}, Kafka ${state.kafkaVersion}${state.requireAcls ? ', ACLs required' : ''})`,
      `mTLS          ${endpoints.tls.join(',')}`,
      `plaintext     ${endpoints.plaintext.join(',')}`,
      `CA            ${state.files.ca}`,
      `client cert   ${state.files.clientCert}  (${state.principals.admin}, super user)`,
      `client key    ${state.files.clientKey}`,
      ...status.brokers.map((b) => `broker ${b.id}      ${b.running ? ctx.color.green('running') : ctx.color.red('stopped')}${b.pid ? ` (pid ${b.pid})` : ''}`),
      ...(status.zookeeper ? [`zookeeper     ${status.zookeeper.running ? ctx.color.green('running') : ctx.color.red('stopped')} 127.0.0.1:${status.zookeeper.port}`] : []),
    ].join('\n'),
  );
}

function requireState(ctx: Context, name: string): LocalClusterState {
  const state = readClusterState(ctx.paths.dataDir, name);
  if (!state) {
    const others = listClusterNames(ctx.paths.dataDir);
    throw new KfeedError('notFound', `no local cluster named "${name}"`, {
      hint: others.length ? `known: ${others.join(', ')}` : 'start one with `kfeed local up`',
    });
  }
  return state;
}

export async function localStatus(ctx: Context, options: { name: string; all?: boolean }): Promise<void> {
  if (options.all) {
    const names = listClusterNames(ctx.paths.dataDir);
    const states = names.map((n) => readClusterState(ctx.paths.dataDir, n)!);
    if (ctx.json) return ctx.printJson(states.map((s) => ({ name: s.name, mode: s.mode, running: localClusterStatus(s).brokers.every((b) => b.running), bootstrap: clusterEndpoints(s) })));
    ctx.printTable(
      states,
      [
        { header: 'NAME', value: (s) => s.name },
        { header: 'MODE', value: (s) => s.mode },
        { header: 'BROKERS', value: (s) => s.brokers.length, align: 'right' },
        { header: 'STATE', value: (s) => (localClusterStatus(s).brokers.every((b) => b.running) ? 'running' : 'stopped') },
        { header: 'MTLS', value: (s) => clusterEndpoints(s).tls.join(',') },
      ],
      'no local clusters',
    );
    return;
  }
  const state = requireState(ctx, options.name);
  renderStatus(ctx, state);
  if (!localClusterStatus(state).brokers.every((b) => b.running)) {
    throw new KfeedError('connection', `cluster ${state.name} is not fully running`, { hint: 'see `kfeed local logs`, or restart it with `kfeed local down` then `kfeed local up`' });
  }
}

export async function localLogs(ctx: Context, options: { name: string; broker: number; zookeeper?: boolean; lines: number }): Promise<void> {
  const state = requireState(ctx, options.name);
  let file: string;
  if (options.zookeeper) {
    if (!state.zookeeper) throw new KfeedError('usage', `cluster ${state.name} runs in KRaft mode and has no ZooKeeper`, { hint: 'drop --zookeeper' });
    file = path.join(state.zookeeper.dir, 'zookeeper.log');
  } else {
    const broker = state.brokers.find((b) => b.id === options.broker);
    if (!broker) throw new KfeedError('usage', `cluster ${state.name} has no broker ${options.broker}`, { hint: `brokers are ${state.brokers.map((b) => b.id).join(', ')}` });
    file = brokerLogFile(broker);
  }
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  ctx.print(lines.slice(-options.lines).join('\n'));
}

export async function localDown(ctx: Context, options: { name: string }): Promise<void> {
  requireState(ctx, options.name);
  const progress = ctx.progress(`stopping local cluster ${options.name}`);
  await stopLocalCluster(ctx.paths.dataDir, options.name);
  const profile = ctx.profiles.get(options.name);
  if (profile?.meta?.localCluster === options.name) ctx.profiles.remove(options.name);
  progress.succeed(`local cluster ${options.name} stopped and removed`);
  if (ctx.json) ctx.printJson({ name: options.name, stopped: true });
}
