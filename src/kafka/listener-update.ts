import type { ConnectionSettings } from '../config/connection.js';
import { readListenerPlan, writePlanFile } from './listener-plan-file.js';
import {
  applyListenerPlan,
  brokersToChange,
  brokersToRevert,
  revertBrokers,
  type VerifiedBroker,
} from './listener-change.js';
import type { BrokerPlan, ListenerPlan } from './listeners.js';

/**
 * `update-listeners` on a ZooKeeper-mode cluster as one flow around its plan file: the plan
 * (planListenerChange in listener-change.ts) is saved before any broker changes, applied
 * broker by broker and verified; --revert reads it back and restores the saved values.
 */

export interface ListenerFlowOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
}

export type ListenerApplyOutcome = { applied: false } | { applied: true; planFile: string; verified: VerifiedBroker[] };

/**
 * Saves the plan to `planFile` (never over an existing file: it is the way back), then applies
 * and verifies it. `onStart` hears of the brokers to change once the plan is saved.
 * Nothing is saved or changed when every broker already has the listener.
 */
export async function applyListenerUpdate(
  settings: ConnectionSettings,
  plan: ListenerPlan,
  options: ListenerFlowOptions & { planFile: string; onStart?: (brokers: BrokerPlan[], planFile: string) => void },
): Promise<ListenerApplyOutcome> {
  const todo = brokersToChange(plan);
  if (todo.length === 0) return { applied: false };
  writePlanFile(options.planFile, plan, { exclusive: true });
  options.onStart?.(todo, options.planFile);
  const verified = await applyListenerPlan(settings, plan, options);
  return { applied: true, planFile: options.planFile, verified };
}

/**
 * Restores the values saved in `planFile` on the brokers that still have the plan's values
 * (all of them with `force`); returns the ids of the brokers restored.
 */
export async function revertListenerUpdate(
  settings: ConnectionSettings,
  planFile: string,
  options: ListenerFlowOptions & { force?: boolean; onStart?: (brokers: BrokerPlan[]) => void },
): Promise<number[]> {
  const work = await brokersToRevert(settings, readListenerPlan(planFile), { force: options.force });
  options.onStart?.(work);
  await revertBrokers(settings, work, options);
  return work.map((entry) => entry.brokerId);
}
