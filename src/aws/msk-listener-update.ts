import type { KafkaClient } from '@aws-sdk/client-kafka';
import { writePlanFile } from '../kafka/listener-plan-file.js';
import { applyConfiguration, type MskCluster, type OperationStatus } from './msk.js';
import {
  mskRevertTarget,
  readMskListenerPlan,
  waitForConfigurationOperation,
  writeMskListenerRevision,
  type ConfigurationRevision,
  type MskListenerChange,
  type MskListenerPlan,
} from './msk-listeners.js';

/**
 * `update-listeners --msk` as one flow: the plan (planMskListenerChange in msk-listeners.ts)
 * is saved, written as a configuration revision and applied with a rolling restart that this
 * waits for; --revert applies the configuration the plan file names as the way back.
 */

export interface MskOperationOptions {
  pollIntervalMs: number;
  timeoutMs: number;
  signal?: AbortSignal;
  /** The revision is about to be applied (the rolling restart starts). */
  onApplying?: (cluster: MskCluster, configuration: ConfigurationRevision) => void;
  onProgress?: (text: string) => void;
}

export type MskOperation = OperationStatus & { operationArn: string };

/** Saves the plan to `planFile` (never over an existing file), writes the revision and applies it. */
export async function applyMskListenerUpdate(
  client: KafkaClient,
  change: MskListenerChange,
  options: MskOperationOptions & { planFile: string; onSaved?: (planFile: string) => void },
): Promise<{ plan: MskListenerPlan & { written: ConfigurationRevision }; operation: MskOperation }> {
  writePlanFile(options.planFile, change.plan, { exclusive: true });
  options.onSaved?.(options.planFile);
  const plan = await writeMskListenerRevision(client, change, options.planFile);
  const operation = await applyAndWait(client, change.cluster, plan.written, options);
  return { plan, operation };
}

/** Applies the configuration that undoes the plan saved in `planFile` (see mskRevertTarget). */
export async function revertMskListenerUpdate(
  client: KafkaClient,
  planFile: string,
  options: MskOperationOptions & { force?: boolean },
): Promise<{ configuration: ConfigurationRevision; operation: MskOperation }> {
  const { cluster, target } = await mskRevertTarget(client, readMskListenerPlan(planFile), { force: options.force });
  const operation = await applyAndWait(client, cluster, target, options);
  return { configuration: target, operation };
}

async function applyAndWait(
  client: KafkaClient,
  cluster: MskCluster,
  configuration: ConfigurationRevision,
  options: MskOperationOptions,
): Promise<MskOperation> {
  const operationArn = await applyConfiguration(client, cluster, configuration);
  options.onApplying?.(cluster, configuration);
  return waitForConfigurationOperation(client, cluster, operationArn, options);
}
