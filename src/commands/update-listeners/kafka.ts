import path from 'node:path';
import type { ConnectionSettings } from '../../config/connection.js';
import type { Context, Progress } from '../../context.js';
import { defaultPlanFile } from '../../kafka/listener-plan-file.js';
import type { ListenerPlan } from '../../kafka/listeners.js';
import { connectionFlags } from '../options.js';
import { DEFAULT_LISTENER, type UpdateListenersOptions, type UpdateListenersResult } from './types.js';

/** update-listeners on a Kafka cluster: per-broker listener configs (plan, --apply, --revert, --print-nlb). */

/**
 * The host template a profile carries (a local cluster's: its brokers are reached at localhost),
 * when that profile also gave the brokers: never a setting of another cluster.
 */
function profileHostTemplate(ctx: Context, settings: ConnectionSettings): string | undefined {
  if (!settings.profileName || !settings.origin.brokers?.startsWith('profile')) return undefined;
  return ctx.profiles.get(settings.profileName)?.meta?.hostTemplate;
}

export async function kafkaListenersRun(ctx: Context, options: UpdateListenersOptions): Promise<UpdateListenersResult> {
  // Kafka loads only for this path, so --help stays light.
  const change = await import('../../kafka/listener-change.js');
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
  const { applyListenerUpdate } = await import('../../kafka/listener-update.js');
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
  const { revertListenerUpdate } = await import('../../kafka/listener-update.js');
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
