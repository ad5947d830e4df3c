import path from 'node:path';
import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { Command } from 'commander';
import type { ConfigurationRevision } from '../aws/msk-listeners.js';
import type { MskCluster } from '../aws/msk.js';
import type { ConnectionFlags, ConnectionSettings } from '../config/connection.js';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import { MSK_LISTENER_PLAN_KIND, defaultPlanFile, planFileKind, readListenerPlan, writePlanFile } from '../kafka/listener-plan-file.js';
import { LISTENER_KEYS, type ListenerPlan, type NlbRow } from '../kafka/listeners.js';
import { clusterArnFor, mskClientConfig, withAwsOptions, withClusterOptions, type AwsFlags, type ClusterFlags } from './msk/aws.js';
import { connectionFlags, integer, withConnectionOptions } from './options.js';

export interface UpdateListenersOptions extends ConnectionFlags, AwsFlags, ClusterFlags {
  listenerName?: string;
  securityProtocol: string;
  hostTemplate?: string;
  portBase: number;
  bindHost?: string;
  bindPort?: number;
  bindPortBase?: number;
  apply?: boolean;
  planFile?: string;
  revert?: string;
  printNlb?: boolean;
  force?: boolean;
  timeout: number;
  msk?: boolean;
  configurationName?: string;
  pollInterval: number;
}

export const DEFAULT_LISTENER = 'CLIENT_SECURE_VPCE';

export function register(program: Command, ctx: Context): void {
  const command = program
    .command('update-listeners')
    .description('make broker N reachable at <host for N>:<port base + N> through a load balancer (PrivateLink), keeping the existing listeners')
    .option('--listener-name <name>', `the new listener (default ${DEFAULT_LISTENER}; with --msk the client listener to re-advertise, default CLIENT_SECURE)`)
    .option('--security-protocol <protocol>', 'its security protocol', 'SSL')
    .option('--host-template <template>', 'advertised host, {id} = broker id (default b-{id}-tls.<cluster domain>)')
    .option('--port-base <n>', 'broker N is advertised at port base + N (one load balancer port per broker)', integer('--port-base', 0, 65534), 8440)
    .option('--bind-host <host>', 'host the new listener binds (default: that of an existing listener with the same protocol)')
    .option('--bind-port <port>', 'port every broker binds the new listener on (default: its advertised port)', integer('--bind-port', 1, 65535))
    .option('--bind-port-base <n>', 'broker N binds port base + N (brokers sharing a host)', integer('--bind-port-base', 0, 65534))
    .option('--apply', 'apply the plan (default: show it and change nothing)')
    .option('--plan-file <file>', 'where --apply saves the plan and the old values (default ./kfeed-listeners-<time>.json)')
    .option('--revert <planfile>', 'restore the values saved in a plan file')
    .option('--force', 'with --revert: restore even if the listeners changed since the plan was applied')
    .option('--print-nlb', 'print the load balancer table (port -> broker -> target) and change nothing')
    .option('--timeout <seconds>', 'how long to wait for each change to take effect', integer('--timeout', 5, 7200), 120)
    .option('--msk', 'Amazon MSK (needed for KRaft): set custom.advertised.listeners through the MSK API')
    .option('--configuration-name <name>', 'with --msk: name of the configuration to create when the cluster has none (default kfeed-<cluster>)')
    .option('--poll-interval <seconds>', 'with --msk: seconds between checks of the cluster operation', integer('--poll-interval', 1, 600), 15);
  withAwsOptions(withClusterOptions(withConnectionOptions(command))).action((options: UpdateListenersOptions) => updateListenersRun(ctx, options));
}

export async function updateListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<void> {
  if (options.revert && (options.apply || options.printNlb)) {
    throw new KfeedError('usage', '--revert cannot be combined with --apply or --print-nlb', { hint: 'run them separately' });
  }
  if (options.msk || (options.revert && planFileKind(path.resolve(ctx.cwd, options.revert)) === MSK_LISTENER_PLAN_KIND)) {
    return mskListenersRun(ctx, options);
  }
  // Kafka loads only for this path, so --help stays light.
  const change = await import('../kafka/listener-change.js');
  const settings = await ctx.connection(connectionFlags(options));
  if (options.revert) return revertRun(ctx, settings, options);

  const { plan, nlb } = await change.planListenerChange(settings, {
    listenerName: (options.listenerName ?? DEFAULT_LISTENER).toUpperCase(),
    securityProtocol: options.securityProtocol.toUpperCase(),
    hostTemplate: options.hostTemplate,
    portBase: options.portBase,
    bindHost: options.bindHost,
    bindPort: options.bindPort,
    bindPortBase: options.bindPortBase,
  });
  if (options.printNlb) return renderNlb(ctx, nlb);
  if (!options.apply) {
    if (ctx.json) return ctx.printJson({ applied: false, ...plan });
    renderPlan(ctx, plan);
    ctx.info(change.brokersToChange(plan).length ? 'dry run: nothing was changed; run again with --apply to apply it' : 'every broker already has this listener; nothing to do');
    return;
  }
  await applyRun(ctx, settings, plan, options);
}

async function applyRun(ctx: Context, settings: ConnectionSettings, plan: ListenerPlan, options: UpdateListenersOptions): Promise<void> {
  const { applyListenerPlan, brokersToChange } = await import('../kafka/listener-change.js');
  const todo = brokersToChange(plan);
  if (todo.length === 0) {
    if (ctx.json) return ctx.printJson({ applied: false, ...plan });
    ctx.info('every broker already has this listener; nothing to do');
    return;
  }
  const file = path.resolve(ctx.cwd, options.planFile ?? defaultPlanFile(ctx.cwd, 'kfeed-listeners'));
  // Saved before anything changes, and never over an older plan: it is the way back.
  writePlanFile(file, plan, { exclusive: true });
  ctx.info(`plan and old values saved to ${file}`);
  const progress = ctx.progress(`adding listener ${plan.listenerName} to ${todo.length} broker(s)`);
  const verified = await applyListenerPlan(settings, plan, { planFile: file, timeoutMs: options.timeout * 1000, signal: ctx.abort.signal, onProgress: (text) => progress.update(text) }).catch((error: unknown) => {
    progress.fail('update-listeners stopped');
    throw error;
  });
  progress.succeed(`listener ${plan.listenerName} added on ${todo.length} broker(s) and verified`);
  if (ctx.json) return ctx.printJson({ applied: true, planFile: file, verified, ...plan });
  renderPlan(ctx, plan);
  ctx.print('');
  ctx.printTable(verified, [
    { header: 'BROKER', value: (v) => v.brokerId, align: 'right' },
    { header: 'NEW LISTENER', value: (v) => v.direct },
    { header: 'ADVERTISES', value: (v) => v.advertises.join(',') },
  ]);
  ctx.info(`undo with: kfeed update-listeners --revert ${file}`);
}

async function revertRun(ctx: Context, settings: ConnectionSettings, options: UpdateListenersOptions): Promise<void> {
  const { brokersToRevert, revertBrokers } = await import('../kafka/listener-change.js');
  const file = path.resolve(ctx.cwd, options.revert!);
  const work = await brokersToRevert(settings, readListenerPlan(file), { force: options.force });
  const progress = ctx.progress(`restoring the listener configs of ${work.length} broker(s)`);
  await revertBrokers(settings, work, { timeoutMs: options.timeout * 1000, signal: ctx.abort.signal, onProgress: (text) => progress.update(text) }).catch((error: unknown) => {
    progress.fail('revert stopped');
    throw error;
  });
  progress.succeed(work.length ? `restored the listener configs of broker(s) ${work.map((e) => e.brokerId).join(', ')}` : 'the brokers already have the saved values; nothing to do');
  if (ctx.json) ctx.printJson({ reverted: work.map((e) => e.brokerId), planFile: file });
}

function renderPlan(ctx: Context, plan: ListenerPlan): void {
  ctx.print(`listener ${plan.listenerName} (${plan.securityProtocol}), host template ${plan.hostTemplate}, port base ${plan.portBase}`);
  for (const entry of plan.plan) {
    ctx.print('');
    ctx.print(`broker ${entry.brokerId}: advertised ${entry.advertised.host}:${entry.advertised.port}, binds ${entry.bind.host || '*'}:${entry.bind.port}${entry.changes ? '' : ' (already in place)'}`);
    for (const key of LISTENER_KEYS) {
      if (entry.before[key] === entry.after[key]) continue;
      ctx.print(`  ${key}`);
      ctx.print(`    before: ${entry.before[key] ?? '(unset)'}${entry.beforeDynamic[key] ? ' [per-broker override]' : ''}`);
      ctx.print(`    after:  ${entry.after[key]}`);
    }
  }
}

export function renderNlb(ctx: Context, rows: NlbRow[]): void {
  if (ctx.json) return ctx.printJson(rows);
  ctx.printTable(rows, [
    { header: 'NLB PORT', value: (r) => r.nlbPort, align: 'right' },
    { header: 'BROKER', value: (r) => r.brokerId, align: 'right' },
    { header: 'ADVERTISED AS', value: (r) => r.advertised },
    { header: 'TARGET', value: (r) => r.target },
  ]);
}

// ---- Amazon MSK: custom.advertised.listeners through a configuration revision (src/aws/msk-listeners.ts)

async function mskListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<void> {
  const { createMskClient, CUSTOM_ADVERTISED_LISTENERS } = await import('../aws/msk.js');
  const mskListeners = await import('../aws/msk-listeners.js');
  const client = await createMskClient(mskClientConfig(ctx, options));
  try {
    if (options.revert) return await mskRevertRun(ctx, client, options);
    const arn = await clusterArnFor(ctx, client, { clusterArn: options.clusterArn, clusterName: options.clusterName, profile: options.profile });
    const mapping = await mskListeners.mskListenerMapping(client, arn, {
      listenerName: options.listenerName?.toUpperCase(),
      hostTemplate: options.hostTemplate,
      portBase: options.portBase,
    });
    if (options.printNlb) return renderNlb(ctx, mapping.nlb);

    const change = await mskListeners.planMskListenerChange(client, mapping, { configurationName: options.configurationName });
    const { cluster, before } = change;
    const target = cluster.configuration ? `a new revision of ${cluster.configuration.arn}` : `a new configuration ${change.configurationName}`;
    if (!options.apply || before === change.plan.property) {
      if (ctx.json) return ctx.printJson({ applied: false, before: before ?? null, ...change.plan });
      ctx.print(`cluster ${cluster.name} (${cluster.mode === 'kraft' ? 'KRaft' : cluster.mode}), Kafka ${cluster.kafkaVersion ?? 'unknown'}`);
      ctx.print(CUSTOM_ADVERTISED_LISTENERS);
      ctx.print(`  before: ${before ?? '(unset)'}`);
      ctx.print(`  after:  ${change.plan.property}`);
      ctx.print('');
      renderNlb(ctx, mapping.nlb);
      ctx.info(before === change.plan.property ? 'the cluster configuration already has this value; nothing to do' : `dry run: nothing was changed; --apply writes ${target} and applies it (a rolling restart)`);
      return;
    }
    const file = path.resolve(ctx.cwd, options.planFile ?? defaultPlanFile(ctx.cwd, 'kfeed-msk-listeners'));
    writePlanFile(file, change.plan, { exclusive: true });
    ctx.info(`plan saved to ${file}`);
    const plan = await mskListeners.writeMskListenerRevision(client, change, file);
    const status = await applyAndWait(ctx, client, cluster, plan.written, options);
    if (ctx.json) return ctx.printJson({ applied: true, planFile: file, operation: status, ...plan });
    renderNlb(ctx, mapping.nlb);
    ctx.info(`undo with: kfeed update-listeners --msk --revert ${file}`);
  } finally {
    client.destroy();
  }
}

/** Applies a configuration revision and follows the rolling restart on a progress line. */
async function applyAndWait(ctx: Context, client: KafkaClient, cluster: MskCluster, configuration: ConfigurationRevision, options: UpdateListenersOptions) {
  const { applyConfiguration } = await import('../aws/msk.js');
  const { waitForConfigurationOperation } = await import('../aws/msk-listeners.js');
  const operationArn = await applyConfiguration(client, cluster, configuration);
  const progress = ctx.progress(`applying configuration revision ${configuration.revision} to ${cluster.name} (rolling restart)`);
  try {
    const status = await waitForConfigurationOperation(client, cluster, operationArn, {
      pollIntervalMs: options.pollInterval * 1000,
      timeoutMs: options.timeout * 1000,
      signal: ctx.abort.signal,
      onProgress: (text) => progress.update(text),
    });
    progress.succeed(`configuration revision ${configuration.revision} applied to ${cluster.name}`);
    return status;
  } catch (error) {
    progress.fail(`applying configuration revision ${configuration.revision} did not complete`);
    throw error;
  }
}

async function mskRevertRun(ctx: Context, client: KafkaClient, options: UpdateListenersOptions): Promise<void> {
  const { mskRevertTarget, readMskListenerPlan } = await import('../aws/msk-listeners.js');
  const plan = readMskListenerPlan(path.resolve(ctx.cwd, options.revert!));
  const { cluster, target } = await mskRevertTarget(client, plan, { force: options.force });
  const status = await applyAndWait(ctx, client, cluster, target, options);
  if (ctx.json) ctx.printJson({ reverted: true, configuration: target, operation: status });
}
