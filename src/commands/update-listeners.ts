import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import type { ConnectionFlags, ConnectionSettings } from '../config/connection.js';
import { readUserFile, writeFileAtomic } from '../config/files.js';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import {
  LISTENER_KEYS,
  applyOperations,
  defaultHostTemplate,
  nlbTable,
  parsePlan,
  planListeners,
  revertOperations,
  type BrokerPlan,
  type ListenerOptions,
  type ListenerPlan,
  type ListenerValues,
  type NlbRow,
  advertisedAddress,
  customAdvertisedListeners,
} from '../kafka/listeners.js';
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
/** MSK's custom.advertised.listeners accepts only its own client listeners. */
const MSK_CLIENT_LISTENERS: Record<string, number> = {
  CLIENT: 9092,
  CLIENT_SECURE: 9094,
  CLIENT_SASL_SCRAM: 9096,
  CLIENT_IAM: 9098,
  CLIENT_SECURE_PUBLIC: 9194,
  CLIENT_SASL_SCRAM_PUBLIC: 9196,
  CLIENT_IAM_PUBLIC: 9198,
};

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
  if (options.msk || (options.revert && planKind(options.revert) === MSK_PLAN)) {
    return mskListenersRun(ctx, options);
  }
  // Kafka and the broker-config module load only for this path, so --help stays light.
  const { withAdmin } = await import('../kafka/client.js');
  const { readListenerConfigs } = await import('../kafka/broker-configs.js');
  const settings = await ctx.connection(connectionFlags(options));
  if (options.revert) return revertRun(ctx, settings, options);

  const brokers = await withAdmin(settings, (admin) => readListenerConfigs(admin));
  if (brokers.some((b) => b.mode === 'kraft')) {
    throw new KfeedError('conflict', 'the cluster runs in KRaft mode, where brokers refuse run-time changes of advertised listeners; nothing was changed', {
      hint: 'on Amazon MSK pass --msk (custom.advertised.listeners through the MSK API); elsewhere edit server.properties and restart each broker',
    });
  }
  if (brokers.some((b) => b.mode !== 'zookeeper')) {
    throw new KfeedError('config', 'cannot tell whether the cluster runs in ZooKeeper mode (the brokers report neither zookeeper.connect nor process.roles)', {
      hint: 'on Amazon MSK pass --msk; the client also needs DescribeConfigs on the cluster',
    });
  }
  const listenerOptions: ListenerOptions = {
    listenerName: (options.listenerName ?? DEFAULT_LISTENER).toUpperCase(),
    securityProtocol: options.securityProtocol.toUpperCase(),
    hostTemplate: options.hostTemplate ?? defaultHostTemplate(brokers.map((b) => b.host)),
    portBase: options.portBase,
    bindHost: options.bindHost,
    bindPort: options.bindPort,
    bindPortBase: options.bindPortBase,
  };
  const plan = planListeners(brokers, listenerOptions, { brokers: settings.brokers });

  if (options.printNlb) return renderNlb(ctx, nlbTable(plan, new Map(brokers.map((b) => [b.brokerId, b.host]))));
  if (!options.apply) {
    if (ctx.json) return ctx.printJson({ applied: false, ...plan });
    renderPlan(ctx, plan);
    ctx.info(plan.plan.some((e) => e.changes) ? 'dry run: nothing was changed; run again with --apply to apply it' : 'every broker already has this listener; nothing to do');
    return;
  }
  await applyRun(ctx, settings, plan, options);
}

const MSK_PLAN = 'kfeed-msk-listener-plan';

function planKind(file: string): string | undefined {
  try {
    return (JSON.parse(fs.readFileSync(file, 'utf8')) as { kind?: string }).kind;
  } catch {
    return undefined; // parsePlan reports unreadable files with a proper message
  }
}

export function defaultPlanFile(ctx: Context, prefix: string): string {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return path.join(ctx.cwd, `${prefix}-${stamp}.json`);
}

async function applyRun(ctx: Context, settings: ConnectionSettings, plan: ListenerPlan, options: UpdateListenersOptions): Promise<void> {
  const { incrementalAlterBrokerConfigs } = await import('../kafka/broker-configs.js');
  const todo = plan.plan.filter((e) => e.changes);
  if (todo.length === 0) {
    if (ctx.json) return ctx.printJson({ applied: false, ...plan });
    ctx.info('every broker already has this listener; nothing to do');
    return;
  }
  const file = path.resolve(ctx.cwd, options.planFile ?? defaultPlanFile(ctx, 'kfeed-listeners'));
  // Saved before anything changes, and never over an older plan: it is the way back.
  writeFileAtomic(file, JSON.stringify(plan, null, 2) + '\n', { exclusive: true });
  ctx.info(`plan and old values saved to ${file}`);
  const progress = ctx.progress(`adding listener ${plan.listenerName} to ${todo.length} broker(s)`);
  const done: number[] = [];
  try {
    for (const entry of todo) {
      progress.update(`broker ${entry.brokerId}: adding ${plan.listenerName} (${entry.advertised.host}:${entry.advertised.port})`);
      await incrementalAlterBrokerConfigs(settings, entry.brokerId, applyOperations(entry));
      done.push(entry.brokerId);
      await waitForValues(settings, entry.brokerId, entry.after, options.timeout * 1000);
    }
    progress.update('checking that every broker advertises the new addresses on the new listener');
    const verified = await verifyEndpoints(settings, plan, options.timeout * 1000);
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
  } catch (error) {
    progress.fail('update-listeners stopped');
    const e = error instanceof KfeedError ? error : new KfeedError('internal', (error as Error).message, { cause: error });
    const changed = done.length ? `brokers ${done.join(', ')} were changed; undo with kfeed update-listeners --revert ${file}` : `no broker was changed (plan left in ${file})`;
    throw new KfeedError(e.kind, e.message, { hint: changed, cause: error });
  }
}

function sameValues(a: ListenerValues | Record<string, string>, b: ListenerValues | Record<string, string>): boolean {
  return LISTENER_KEYS.every((k) => (a[k as keyof typeof a] ?? null) === (b[k as keyof typeof b] ?? null));
}

/** Dynamic broker configs take effect asynchronously (through ZooKeeper): poll until they show. */
async function waitForValues(settings: ConnectionSettings, brokerId: number, expected: ListenerValues | Record<string, string>, timeoutMs: number): Promise<void> {
  const { withAdmin } = await import('../kafka/client.js');
  const { readListenerConfigs } = await import('../kafka/broker-configs.js');
  const deadline = Date.now() + timeoutMs;
  let seen: ListenerValues | undefined;
  while (Date.now() < deadline) {
    const brokers = await withAdmin(settings, (admin) => readListenerConfigs(admin));
    seen = brokers.find((b) => b.brokerId === brokerId)?.values;
    if (seen && sameValues(seen, expected)) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new KfeedError('verification', `broker ${brokerId} did not take the new listener configs within ${Math.round(timeoutMs / 1000)} s (it reports listeners=${seen?.listeners})`, {
    hint: 'see the broker log',
  });
}

export interface VerifiedBroker {
  brokerId: number;
  direct: string;
  advertises: string[];
}

/**
 * A metadata request on each broker's new listener (reached directly, so no load balancer
 * is needed yet) must list every broker at its new advertised address.
 */
async function verifyEndpoints(settings: ConnectionSettings, plan: ListenerPlan, timeoutMs: number): Promise<VerifiedBroker[]> {
  const { advertisedVia } = await import('../kafka/broker-configs.js');
  const expected = plan.plan.map((e) => `${e.advertised.host}:${e.advertised.port}`).sort();
  const results: VerifiedBroker[] = [];
  for (const entry of plan.plan) {
    const deadline = Date.now() + timeoutMs;
    let advertises: string[] = [];
    let lastError = '';
    while (Date.now() < deadline) {
      try {
        advertises = (await advertisedVia(settings, entry.direct)).map((b) => `${b.host}:${b.port}`).sort();
        if (JSON.stringify(advertises) === JSON.stringify(expected)) break;
        lastError = `it advertises ${advertises.join(',')}`;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (JSON.stringify(advertises) !== JSON.stringify(expected)) {
      throw new KfeedError('verification', `the new listener of broker ${entry.brokerId} at ${entry.direct} does not serve the new addresses (${lastError})`, {
        hint: 'see the broker log',
      });
    }
    results.push({ brokerId: entry.brokerId, direct: entry.direct, advertises });
  }
  return results;
}

async function revertRun(ctx: Context, settings: ConnectionSettings, options: UpdateListenersOptions): Promise<void> {
  const { withAdmin } = await import('../kafka/client.js');
  const { readListenerConfigs, incrementalAlterBrokerConfigs } = await import('../kafka/broker-configs.js');
  const file = path.resolve(ctx.cwd, options.revert!);
  const plan = parsePlan(readUserFile(file, 'plan file'), file);
  const current = await withAdmin(settings, (admin) => readListenerConfigs(admin));
  const work: BrokerPlan[] = [];
  for (const entry of plan.plan.filter((e) => e.changes)) {
    const now = current.find((b) => b.brokerId === entry.brokerId);
    if (!now) {
      throw new KfeedError('config', `broker ${entry.brokerId} of the plan is not in this cluster`, { hint: 'connect to the cluster the plan was made for (--profile / --brokers)' });
    }
    if (sameValues(now.values, entry.before)) continue; // already as it was
    if (!sameValues(now.values, entry.after) && !options.force) {
      throw new KfeedError('conflict', `the listeners of broker ${entry.brokerId} changed since the plan was applied; nothing was reverted`, {
        hint: 'look at them with --print-nlb or a dry run, then pass --force to restore the saved values anyway',
      });
    }
    work.push(entry);
  }
  const progress = ctx.progress(`restoring the listener configs of ${work.length} broker(s)`);
  try {
    for (const entry of work) {
      progress.update(`broker ${entry.brokerId}: restoring its listener configs`);
      await incrementalAlterBrokerConfigs(settings, entry.brokerId, revertOperations(entry));
      await waitForValues(settings, entry.brokerId, entry.before, options.timeout * 1000);
    }
  } catch (error) {
    progress.fail('revert stopped');
    throw error;
  }
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

// ---- Amazon MSK: custom.advertised.listeners through a configuration revision

interface MskListenerPlan {
  kind: typeof MSK_PLAN;
  version: 1;
  createdAt: string;
  clusterArn: string;
  clusterName: string;
  listenerName: string;
  hostTemplate: string;
  portBase: number;
  property: string;
  /** The configuration the cluster ran before, if any: --revert applies it again. */
  previous?: { arn: string; revision: number };
  /** The revision --apply wrote. */
  written?: { arn: string; revision: number };
  nlb: NlbRow[];
}

async function mskListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<void> {
  const msk = await import('../aws/msk.js');
  const client = await msk.createMskClient(mskClientConfig(ctx, options));
  try {
    if (options.revert) return await mskRevert(ctx, client, options);
    const arn = await clusterArnFor(ctx, client, { clusterArn: options.clusterArn, clusterName: options.clusterName, profile: options.profile });
    const cluster = await msk.describeMskCluster(client, arn);
    msk.requireActive(cluster);
    const brokers = await msk.listBrokers(client, arn);
    if (brokers.length === 0) throw new KfeedError('aws', `MSK lists no brokers for ${cluster.name}`, { hint: 'retry when the cluster is ACTIVE' });
    const listenerName = (options.listenerName ?? 'CLIENT_SECURE').toUpperCase();
    const targetPort = MSK_CLIENT_LISTENERS[listenerName];
    if (!targetPort) {
      throw new KfeedError('usage', `MSK's custom.advertised.listeners only re-advertises its client listeners, not ${listenerName}`, {
        hint: `use --listener-name with one of ${Object.keys(MSK_CLIENT_LISTENERS).join(', ')}`,
      });
    }
    const hosts = brokers.map((b) => b.endpoints[0] ?? '');
    const hostTemplate = options.hostTemplate ?? defaultHostTemplate(hosts);
    const property = customAdvertisedListeners(listenerName, hostTemplate, options.portBase);
    const nlb: NlbRow[] = brokers.map((b) => {
      const advertised = advertisedAddress({ hostTemplate, portBase: options.portBase }, b.brokerId);
      return { nlbPort: advertised.port, brokerId: b.brokerId, advertised: `${advertised.host}:${advertised.port}`, target: `${b.clientVpcIp ?? b.endpoints[0]}:${targetPort}` };
    });
    if (options.printNlb) return renderNlb(ctx, nlb);

    const current = cluster.configuration ? await msk.readConfigurationRevision(client, cluster.configuration.arn, cluster.configuration.revision) : '';
    const before = msk.getServerProperty(current, msk.CUSTOM_ADVERTISED_LISTENERS);
    const plan: MskListenerPlan = {
      kind: MSK_PLAN,
      version: 1,
      createdAt: new Date().toISOString(),
      clusterArn: cluster.arn,
      clusterName: cluster.name,
      listenerName,
      hostTemplate,
      portBase: options.portBase,
      property,
      ...(cluster.configuration ? { previous: cluster.configuration } : {}),
      nlb,
    };
    const target = cluster.configuration ? `a new revision of ${cluster.configuration.arn}` : `a new configuration ${options.configurationName ?? `kfeed-${cluster.name}`}`;
    if (!options.apply || before === property) {
      if (ctx.json) return ctx.printJson({ applied: false, before: before ?? null, ...plan });
      ctx.print(`cluster ${cluster.name} (${cluster.mode === 'kraft' ? 'KRaft' : cluster.mode}), Kafka ${cluster.kafkaVersion ?? 'unknown'}`);
      ctx.print(`${msk.CUSTOM_ADVERTISED_LISTENERS}`);
      ctx.print(`  before: ${before ?? '(unset)'}`);
      ctx.print(`  after:  ${property}`);
      ctx.print('');
      renderNlb(ctx, nlb);
      ctx.info(before === property ? 'the cluster configuration already has this value; nothing to do' : `dry run: nothing was changed; --apply writes ${target} and applies it (a rolling restart)`);
      return;
    }
    const file = path.resolve(ctx.cwd, options.planFile ?? defaultPlanFile(ctx, 'kfeed-msk-listeners'));
    writeFileAtomic(file, JSON.stringify(plan, null, 2) + '\n', { exclusive: true });
    ctx.info(`plan saved to ${file}`);
    const written = await msk.writeConfiguration(client, {
      existingArn: cluster.configuration?.arn,
      name: options.configurationName ?? `kfeed-${cluster.name}`,
      kafkaVersion: cluster.kafkaVersion,
      serverProperties: msk.setServerProperty(current, msk.CUSTOM_ADVERTISED_LISTENERS, property),
      description: `kfeed update-listeners: ${listenerName} advertised at ${hostTemplate}:${options.portBase}+id`,
    });
    plan.written = written;
    writeFileAtomic(file, JSON.stringify(plan, null, 2) + '\n');
    const status = await applyAndWait(ctx, client, cluster, written, options);
    if (ctx.json) return ctx.printJson({ applied: true, planFile: file, operation: status, ...plan });
    renderNlb(ctx, nlb);
    ctx.info(`undo with: kfeed update-listeners --msk --revert ${file}`);
  } finally {
    client.destroy();
  }
}

async function applyAndWait(
  ctx: Context,
  client: import('@aws-sdk/client-kafka').KafkaClient,
  cluster: import('../aws/msk.js').MskCluster,
  configuration: { arn: string; revision: number },
  options: UpdateListenersOptions,
) {
  const msk = await import('../aws/msk.js');
  const operationArn = await msk.applyConfiguration(client, cluster, configuration);
  const progress = ctx.progress(`applying configuration revision ${configuration.revision} to ${cluster.name} (rolling restart)`);
  try {
    const status = await msk.waitForOperation(client, operationArn, {
      intervalMs: options.pollInterval * 1000,
      timeoutMs: Math.max(options.timeout, 3600) * 1000,
      signal: ctx.abort.signal,
      onStatus: (s) => {
        const step = s.steps.find((x) => x.status && x.status !== 'SUCCESS' && x.status !== 'COMPLETED') ?? s.steps[s.steps.length - 1];
        progress.update(`${cluster.name}: ${s.state}${step ? ` (${step.name}: ${step.status})` : ''}`);
      },
    });
    progress.succeed(`configuration revision ${configuration.revision} applied to ${cluster.name}`);
    return { operationArn, ...status };
  } catch (error) {
    progress.fail(`applying configuration revision ${configuration.revision} did not complete`);
    throw error;
  }
}

async function mskRevert(ctx: Context, client: import('@aws-sdk/client-kafka').KafkaClient, options: UpdateListenersOptions): Promise<void> {
  const msk = await import('../aws/msk.js');
  const file = path.resolve(ctx.cwd, options.revert!);
  const plan = JSON.parse(readUserFile(file, 'plan file')) as MskListenerPlan;
  if (plan.kind !== MSK_PLAN || plan.version !== 1) throw new KfeedError('usage', `${file} is not a kfeed MSK listener plan`, { hint: 'pass the plan file that --msk --apply wrote' });
  const cluster = await msk.describeMskCluster(client, plan.clusterArn);
  msk.requireActive(cluster);
  const running = cluster.configuration;
  if (plan.written && (running?.arn !== plan.written.arn || running.revision !== plan.written.revision) && !options.force) {
    throw new KfeedError('conflict', `cluster ${cluster.name} no longer runs the revision the plan applied; nothing was reverted`, { hint: 'pass --force to revert anyway' });
  }
  let target = plan.previous;
  if (!target) {
    // The cluster had no configuration before: a revision of ours without the property.
    if (!running) throw new KfeedError('config', `cluster ${cluster.name} runs no configuration; nothing to revert`);
    const text = await msk.readConfigurationRevision(client, running.arn, running.revision);
    target = await msk.writeConfiguration(client, {
      existingArn: running.arn,
      name: '',
      serverProperties: msk.setServerProperty(text, msk.CUSTOM_ADVERTISED_LISTENERS, undefined),
      description: 'kfeed update-listeners --revert: custom.advertised.listeners removed',
    });
  }
  const status = await applyAndWait(ctx, client, cluster, target, options);
  if (ctx.json) ctx.printJson({ reverted: true, configuration: target, operation: status });
}
