import path from 'node:path';
import type { KafkaClient } from '@aws-sdk/client-kafka';
import type { ConfigurationRevision } from '../../aws/msk-listeners.js';
import type { MskCluster } from '../../aws/msk.js';
import type { Context, Progress } from '../../context.js';
import { defaultPlanFile } from '../../kafka/listener-plan-file.js';
import { clusterArnFor, mskClientConfig } from '../msk/aws.js';
import type { UpdateListenersOptions, UpdateListenersResult } from './types.js';

/** update-listeners on Amazon MSK: custom.advertised.listeners through a configuration revision. */

export async function mskListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<UpdateListenersResult> {
  const { createMskClient } = await import('../../aws/msk.js');
  const mskListeners = await import('../../aws/msk-listeners.js');
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
    const { applyMskListenerUpdate } = await import('../../aws/msk-listener-update.js');
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
  const { revertMskListenerUpdate } = await import('../../aws/msk-listener-update.js');
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
