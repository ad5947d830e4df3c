import path from 'node:path';
import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { MskOperation } from '../aws/msk-listener-update.js';
import type { ConfigurationRevision, MskListenerPlan } from '../aws/msk-listeners.js';
import { CUSTOM_ADVERTISED_LISTENERS, type MskCluster } from '../aws/msk.js';
import type { ConnectionFlags, ConnectionSettings } from '../config/connection.js';
import type { Context, Progress } from '../context.js';
import { KfeedError } from '../errors.js';
import type { VerifiedBroker } from '../kafka/listener-change.js';
import { MSK_LISTENER_PLAN_KIND, defaultPlanFile, planFileKind } from '../kafka/listener-plan-file.js';
import { LISTENER_KEYS, type ListenerPlan, type NlbRow } from '../kafka/listeners.js';
import { defineCommand, type RenderView } from './command.js';
import {
  clusterArnFor,
  mskClientConfig,
  withAwsOptions,
  withClusterOptions,
  type AwsFlags,
  type ClusterFlags,
} from './msk/aws.js';
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

/**
 * What update-listeners did; `json` is what --json prints for each (the fields scripts read
 * since the command began).
 */
export type UpdateListenersResult =
  | { flow: 'nlb'; nlb: NlbRow[] }
  | { flow: 'plan'; plan: ListenerPlan; nothingToDo: boolean }
  /** --apply found every broker with the listener already: nothing saved or changed. */
  | { flow: 'unchanged'; plan: ListenerPlan }
  | { flow: 'applied'; plan: ListenerPlan; planFile: string; verified: VerifiedBroker[] }
  | { flow: 'reverted'; reverted: number[]; planFile: string }
  | { flow: 'msk-plan'; cluster: MskCluster; before: string | undefined; plan: MskListenerPlan; nlb: NlbRow[] }
  | {
      flow: 'msk-applied';
      plan: MskListenerPlan & { written: ConfigurationRevision };
      planFile: string;
      operation: MskOperation;
      nlb: NlbRow[];
    }
  | { flow: 'msk-reverted'; configuration: ConfigurationRevision; operation: MskOperation };

export default defineCommand<UpdateListenersOptions, UpdateListenersResult>({
  name: 'update-listeners',
  summary:
    'make broker N reachable at <host for N>:<port base + N> through a load balancer (PrivateLink), ' +
    'keeping the existing listeners',
  flags: (command) =>
    withAwsOptions(
      withClusterOptions(
        withConnectionOptions(
          command
            .option(
              '--listener-name <name>',
              `the new listener (default ${DEFAULT_LISTENER}; ` +
                'with --msk the client listener to re-advertise, default CLIENT_SECURE)',
            )
            .option('--security-protocol <protocol>', 'its security protocol', 'SSL')
            .option(
              '--host-template <template>',
              'advertised host, {id} = broker id (default b-{id}-tls.<cluster domain>)',
            )
            .option(
              '--port-base <n>',
              'broker N is advertised at port base + N (one load balancer port per broker)',
              integer('--port-base', 0, 65534),
              8440,
            )
            .option(
              '--bind-host <host>',
              'host the new listener binds (default: that of an existing listener with the same protocol)',
            )
            .option(
              '--bind-port <port>',
              'port every broker binds the new listener on (default: its advertised port)',
              integer('--bind-port', 1, 65535),
            )
            .option(
              '--bind-port-base <n>',
              'broker N binds port base + N (brokers sharing a host)',
              integer('--bind-port-base', 0, 65534),
            )
            .option('--apply', 'apply the plan (default: show it and change nothing)')
            .option(
              '--plan-file <file>',
              'where --apply saves the plan and the old values (default ./kfeed-listeners-<time>.json)',
            )
            .option('--revert <planfile>', 'restore the values saved in a plan file')
            .option('--force', 'with --revert: restore even if the listeners changed since the plan was applied')
            .option('--print-nlb', 'print the load balancer table (port -> broker -> target) and change nothing')
            .option(
              '--timeout <seconds>',
              'how long to wait for each change to take effect',
              integer('--timeout', 5, 7200),
              120,
            )
            .option('--msk', 'Amazon MSK (needed for KRaft): set custom.advertised.listeners through the MSK API')
            .option(
              '--configuration-name <name>',
              'with --msk: name of the configuration to create when the cluster has none (default kfeed-<cluster>)',
            )
            .option(
              '--poll-interval <seconds>',
              'with --msk: seconds between checks of the cluster operation',
              integer('--poll-interval', 1, 600),
              15,
            ),
        ),
      ),
    ),
  validate: (options) => {
    if (options.revert && (options.apply || options.printNlb)) {
      throw new KfeedError('usage', '--revert cannot be combined with --apply or --print-nlb', {
        hint: 'run them separately',
      });
    }
  },
  run: updateListenersRun,
  render: renderResult,
  json: jsonOf,
});

/**
 * The host template a profile carries (a local cluster's: its brokers are reached at localhost),
 * when that profile also gave the brokers: never a setting of another cluster.
 */
function profileHostTemplate(ctx: Context, settings: ConnectionSettings): string | undefined {
  if (!settings.profileName || !settings.origin.brokers?.startsWith('profile')) return undefined;
  return ctx.profiles.get(settings.profileName)?.meta?.hostTemplate;
}

async function updateListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<UpdateListenersResult> {
  if (
    options.msk ||
    (options.revert && planFileKind(path.resolve(ctx.cwd, options.revert)) === MSK_LISTENER_PLAN_KIND)
  ) {
    return mskListenersRun(ctx, options);
  }
  // Kafka loads only for this path, so --help stays light.
  const change = await import('../kafka/listener-change.js');
  const settings = await ctx.connection(connectionFlags(options));
  if (options.revert) return revertRun(ctx, settings, options);

  const { plan, nlb } = await change.planListenerChange(settings, {
    listenerName: (options.listenerName ?? DEFAULT_LISTENER).toUpperCase(),
    securityProtocol: options.securityProtocol.toUpperCase(),
    hostTemplate: options.hostTemplate ?? profileHostTemplate(ctx, settings),
    portBase: options.portBase,
    bindHost: options.bindHost,
    bindPort: options.bindPort,
    bindPortBase: options.bindPortBase,
  });
  if (options.printNlb) return { flow: 'nlb', nlb };
  const nothingToDo = change.brokersToChange(plan).length === 0;
  if (!options.apply) {
    ctx.info(
      nothingToDo
        ? 'every broker already has this listener; nothing to do'
        : 'dry run: nothing was changed; run again with --apply to apply it',
    );
    return { flow: 'plan', plan, nothingToDo };
  }
  return applyRun(ctx, settings, plan, options);
}

async function applyRun(
  ctx: Context,
  settings: ConnectionSettings,
  plan: ListenerPlan,
  options: UpdateListenersOptions,
): Promise<UpdateListenersResult> {
  const { applyListenerUpdate } = await import('../kafka/listener-update.js');
  let progress: Progress | undefined;
  let count = 0;
  const outcome = await applyListenerUpdate(settings, plan, {
    planFile: path.resolve(ctx.cwd, options.planFile ?? defaultPlanFile(ctx.cwd, 'kfeed-listeners')),
    timeoutMs: options.timeout * 1000,
    signal: ctx.abort.signal,
    onStart: (brokers, file) => {
      count = brokers.length;
      ctx.info(`plan and old values saved to ${file}`);
      progress = ctx.progress(`adding listener ${plan.listenerName} to ${count} broker(s)`);
    },
    onProgress: (text) => progress?.update(text),
  }).catch((error: unknown) => {
    progress?.fail('update-listeners stopped');
    throw error;
  });
  if (!outcome.applied) {
    ctx.info('every broker already has this listener; nothing to do');
    return { flow: 'unchanged', plan };
  }
  progress?.succeed(`listener ${plan.listenerName} added on ${count} broker(s) and verified`);
  ctx.info(`undo with: kfeed update-listeners --revert ${outcome.planFile}`);
  return { flow: 'applied', plan, planFile: outcome.planFile, verified: outcome.verified };
}

async function revertRun(
  ctx: Context,
  settings: ConnectionSettings,
  options: UpdateListenersOptions,
): Promise<UpdateListenersResult> {
  const { revertListenerUpdate } = await import('../kafka/listener-update.js');
  const file = path.resolve(ctx.cwd, options.revert!);
  let progress: Progress | undefined;
  const reverted = await revertListenerUpdate(settings, file, {
    force: options.force,
    timeoutMs: options.timeout * 1000,
    signal: ctx.abort.signal,
    onStart: (work) => (progress = ctx.progress(`restoring the listener configs of ${work.length} broker(s)`)),
    onProgress: (text) => progress?.update(text),
  }).catch((error: unknown) => {
    progress?.fail('revert stopped');
    throw error;
  });
  progress?.succeed(
    reverted.length
      ? `restored the listener configs of broker(s) ${reverted.join(', ')}`
      : 'the brokers already have the saved values; nothing to do',
  );
  return { flow: 'reverted', reverted, planFile: file };
}

// ---- Amazon MSK: custom.advertised.listeners through a configuration revision (src/aws/msk-listener-update.ts)

async function mskListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<UpdateListenersResult> {
  const { createMskClient } = await import('../aws/msk.js');
  const mskListeners = await import('../aws/msk-listeners.js');
  const client = await createMskClient(mskClientConfig(ctx, options));
  try {
    if (options.revert) return await mskRevertRun(ctx, client, options);
    const arn = await clusterArnFor(ctx, client, {
      clusterArn: options.clusterArn,
      clusterName: options.clusterName,
      profile: options.profile,
    });
    const mapping = await mskListeners.mskListenerMapping(client, arn, {
      listenerName: options.listenerName?.toUpperCase(),
      hostTemplate: options.hostTemplate,
      portBase: options.portBase,
    });
    if (options.printNlb) return { flow: 'nlb', nlb: mapping.nlb };

    const change = await mskListeners.planMskListenerChange(client, mapping, {
      configurationName: options.configurationName,
    });
    const { cluster, before } = change;
    if (!options.apply || before === change.plan.property) {
      const target = cluster.configuration
        ? `a new revision of ${cluster.configuration.arn}`
        : `a new configuration ${change.configurationName}`;
      ctx.info(
        before === change.plan.property
          ? 'the cluster configuration already has this value; nothing to do'
          : `dry run: nothing was changed; --apply writes ${target} and applies it (a rolling restart)`,
      );
      return { flow: 'msk-plan', cluster, before, plan: change.plan, nlb: mapping.nlb };
    }
    const { applyMskListenerUpdate } = await import('../aws/msk-listener-update.js');
    const planFile = path.resolve(ctx.cwd, options.planFile ?? defaultPlanFile(ctx.cwd, 'kfeed-msk-listeners'));
    const { plan, operation } = await followOperation(ctx, (events) =>
      applyMskListenerUpdate(client, change, {
        ...operationOptions(options),
        ...events,
        planFile,
        onSaved: (file) => ctx.info(`plan saved to ${file}`),
      }),
    );
    ctx.info(`undo with: kfeed update-listeners --msk --revert ${planFile}`);
    return { flow: 'msk-applied', plan, planFile, operation, nlb: mapping.nlb };
  } finally {
    client.destroy();
  }
}

async function mskRevertRun(
  ctx: Context,
  client: KafkaClient,
  options: UpdateListenersOptions,
): Promise<UpdateListenersResult> {
  const { revertMskListenerUpdate } = await import('../aws/msk-listener-update.js');
  const planFile = path.resolve(ctx.cwd, options.revert!);
  const { configuration, operation } = await followOperation(ctx, (events) =>
    revertMskListenerUpdate(client, planFile, { ...operationOptions(options), ...events, force: options.force }),
  );
  return { flow: 'msk-reverted', configuration, operation };
}

function operationOptions(options: UpdateListenersOptions) {
  return { pollIntervalMs: options.pollInterval * 1000, timeoutMs: options.timeout * 1000 };
}

type OperationEvents = {
  signal: AbortSignal;
  onApplying: (cluster: MskCluster, configuration: ConfigurationRevision) => void;
  onProgress: (text: string) => void;
};

/** Follows the rolling restart of a configuration revision on a progress line. */
async function followOperation<T>(ctx: Context, work: (events: OperationEvents) => Promise<T>): Promise<T> {
  let progress: Progress | undefined;
  let applying: { cluster: MskCluster; configuration: ConfigurationRevision } | undefined;
  try {
    const result = await work({
      signal: ctx.abort.signal,
      onApplying: (cluster, configuration) => {
        applying = { cluster, configuration };
        progress = ctx.progress(
          `applying configuration revision ${configuration.revision} to ${cluster.name} (rolling restart)`,
        );
      },
      onProgress: (text) => progress?.update(text),
    });
    if (applying)
      progress?.succeed(
        `configuration revision ${applying.configuration.revision} applied to ${applying.cluster.name}`,
      );
    return result;
  } catch (error) {
    if (applying) progress?.fail(`applying configuration revision ${applying.configuration.revision} did not complete`);
    throw error;
  }
}

function jsonOf(result: UpdateListenersResult): unknown {
  switch (result.flow) {
    case 'nlb':
      return result.nlb;
    case 'plan':
    case 'unchanged':
      return { applied: false, ...result.plan };
    case 'applied':
      return { applied: true, planFile: result.planFile, verified: result.verified, ...result.plan };
    case 'reverted':
      return { reverted: result.reverted, planFile: result.planFile };
    case 'msk-plan':
      return { applied: false, before: result.before ?? null, ...result.plan };
    case 'msk-applied':
      return { applied: true, planFile: result.planFile, operation: result.operation, ...result.plan };
    case 'msk-reverted':
      return { reverted: true, configuration: result.configuration, operation: result.operation };
  }
}

function renderResult(result: UpdateListenersResult, view: RenderView): string | undefined {
  switch (result.flow) {
    case 'nlb':
      return nlbTable(result.nlb, view);
    case 'plan':
      return planText(result.plan);
    case 'applied':
      return [
        planText(result.plan),
        '',
        view.table(result.verified, [
          { header: 'BROKER', value: (v) => v.brokerId, align: 'right' },
          { header: 'NEW LISTENER', value: (v) => v.direct },
          { header: 'ADVERTISES', value: (v) => v.advertises.join(',') },
        ]),
      ].join('\n');
    case 'msk-plan': {
      const { cluster } = result;
      return [
        `cluster ${cluster.name} (${cluster.mode === 'kraft' ? 'KRaft' : cluster.mode}), ` +
          `Kafka ${cluster.kafkaVersion ?? 'unknown'}`,
        CUSTOM_ADVERTISED_LISTENERS,
        `  before: ${result.before ?? '(unset)'}`,
        `  after:  ${result.plan.property}`,
        '',
        nlbTable(result.nlb, view),
      ].join('\n');
    }
    case 'msk-applied':
      return nlbTable(result.nlb, view);
    case 'unchanged':
    case 'reverted':
    case 'msk-reverted':
      return undefined;
  }
}

function planText(plan: ListenerPlan): string {
  const lines = [
    `listener ${plan.listenerName} (${plan.securityProtocol}), ` +
      `host template ${plan.hostTemplate}, port base ${plan.portBase}`,
  ];
  for (const entry of plan.plan) {
    lines.push('');
    lines.push(
      `broker ${entry.brokerId}: advertised ${entry.advertised.host}:${entry.advertised.port}, ` +
        `binds ${entry.bind.host || '*'}:${entry.bind.port}${entry.changes ? '' : ' (already in place)'}`,
    );
    for (const key of LISTENER_KEYS) {
      if (entry.before[key] === entry.after[key]) continue;
      lines.push(`  ${key}`);
      lines.push(
        `    before: ${entry.before[key] ?? '(unset)'}${entry.beforeDynamic[key] ? ' [per-broker override]' : ''}`,
      );
      lines.push(`    after:  ${entry.after[key]}`);
    }
  }
  return lines.join('\n');
}

function nlbTable(rows: NlbRow[], view: RenderView): string {
  return view.table(rows, [
    { header: 'NLB PORT', value: (r) => r.nlbPort, align: 'right' },
    { header: 'BROKER', value: (r) => r.brokerId, align: 'right' },
    { header: 'ADVERTISED AS', value: (r) => r.advertised },
    { header: 'TARGET', value: (r) => r.target },
  ]);
}
