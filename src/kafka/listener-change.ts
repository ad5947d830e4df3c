import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { poll } from '../wait.js';
import { advertisedVia, incrementalAlterBrokerConfigs, readListenerConfigs } from './broker-configs.js';
import { withAdmin } from './client.js';
import {
  LISTENER_KEYS,
  applyOperations,
  defaultHostTemplate,
  nlbTable,
  planListeners,
  revertOperations,
  type BrokerPlan,
  type ListenerOptions,
  type ListenerPlan,
  type ListenerValues,
  type NlbRow,
} from './listeners.js';

/**
 * Adding a listener to a running ZooKeeper-mode cluster, broker by broker, and taking it away
 * again: the plan comes from src/kafka/listeners.ts, the config changes go through
 * IncrementalAlterConfigs (src/kafka/broker-configs.ts). Progress goes to `onProgress`.
 */

/** As ListenerOptions, with the host template derived from the broker names when left out. */
export type ListenerRequest = Omit<ListenerOptions, 'hostTemplate'> & { hostTemplate?: string };

export interface ListenerChangePlan {
  plan: ListenerPlan;
  /** The load balancer table, from the same mapping. */
  nlb: NlbRow[];
}

/** Reads every broker's listener configs and plans the new listener; changes nothing. */
export async function planListenerChange(
  settings: ConnectionSettings,
  request: ListenerRequest,
): Promise<ListenerChangePlan> {
  const brokers = await withAdmin(settings, (admin) => readListenerConfigs(admin));
  if (brokers.some((b) => b.mode === 'kraft')) {
    throw new KfeedError(
      'conflict',
      'the cluster runs in KRaft mode, where brokers refuse run-time changes of advertised listeners; ' +
        'nothing was changed',
      {
        hint:
          'on Amazon MSK pass --msk (custom.advertised.listeners through the MSK API); ' +
          'elsewhere edit server.properties and restart each broker',
      },
    );
  }
  if (brokers.some((b) => b.mode !== 'zookeeper')) {
    throw new KfeedError(
      'config',
      'cannot tell whether the cluster runs in ZooKeeper mode ' +
        '(the brokers report neither zookeeper.connect nor process.roles)',
      {
        hint: 'on Amazon MSK pass --msk; the client also needs DescribeConfigs on the cluster',
      },
    );
  }
  const options: ListenerOptions = {
    ...request,
    hostTemplate: request.hostTemplate ?? defaultHostTemplate(brokers.map((b) => b.host)),
  };
  const plan = planListeners(brokers, options, { brokers: settings.brokers });
  return { plan, nlb: nlbTable(plan, new Map(brokers.map((b) => [b.brokerId, b.host]))) };
}

/** The brokers the plan changes; the others already have the listener. */
export function brokersToChange(plan: ListenerPlan): BrokerPlan[] {
  return plan.plan.filter((e) => e.changes);
}

export interface VerifiedBroker {
  brokerId: number;
  direct: string;
  advertises: string[];
}

/**
 * Applies the plan broker by broker, waiting for each to take it, then verifies every new
 * listener. On failure the error's hint says which brokers were changed and how to undo that
 * with the plan file (saved by the caller before this runs).
 */
export async function applyListenerPlan(
  settings: ConnectionSettings,
  plan: ListenerPlan,
  options: { planFile: string; timeoutMs: number; signal?: AbortSignal; onProgress?: (text: string) => void },
): Promise<VerifiedBroker[]> {
  const done: number[] = [];
  try {
    for (const entry of brokersToChange(plan)) {
      options.onProgress?.(
        `broker ${entry.brokerId}: adding ${plan.listenerName} (${entry.advertised.host}:${entry.advertised.port})`,
      );
      await incrementalAlterBrokerConfigs(settings, entry.brokerId, applyOperations(entry));
      done.push(entry.brokerId);
      await waitForValues(settings, entry.brokerId, entry.after, options);
    }
    options.onProgress?.('checking that every broker advertises the new addresses on the new listener');
    return await verifyEndpoints(settings, plan, options);
  } catch (error) {
    const e =
      error instanceof KfeedError ? error : new KfeedError('internal', (error as Error).message, { cause: error });
    const changed = done.length
      ? `brokers ${done.join(', ')} were changed; undo with kfeed update-listeners --revert ${options.planFile}`
      : `no broker was changed (plan left in ${options.planFile})`;
    // A stop says where it left the cluster: the CLI prints a stop's message unless it is the bare default.
    const message = e.kind === 'interrupted' || e.kind === 'terminated' ? 'update-listeners stopped' : e.message;
    throw new KfeedError(e.kind, message, { hint: changed, cause: error });
  }
}

/**
 * The brokers whose configs --revert must restore. Brokers already back at the saved values
 * are left out; one whose listeners changed since the plan was applied stops the revert
 * before anything changes, unless `force`.
 */
export async function brokersToRevert(
  settings: ConnectionSettings,
  plan: ListenerPlan,
  options: { force?: boolean },
): Promise<BrokerPlan[]> {
  const current = await withAdmin(settings, (admin) => readListenerConfigs(admin));
  const work: BrokerPlan[] = [];
  for (const entry of brokersToChange(plan)) {
    const now = current.find((b) => b.brokerId === entry.brokerId);
    if (!now) {
      throw new KfeedError('config', `broker ${entry.brokerId} of the plan is not in this cluster`, {
        hint: 'connect to the cluster the plan was made for (--profile / --brokers)',
      });
    }
    if (sameValues(now.values, entry.before)) continue; // already as it was
    if (!sameValues(now.values, entry.after) && !options.force) {
      throw new KfeedError(
        'conflict',
        `the listeners of broker ${entry.brokerId} changed since the plan was applied; nothing was reverted`,
        {
          hint: 'look at them with --print-nlb or a dry run, then pass --force to restore the saved values anyway',
        },
      );
    }
    work.push(entry);
  }
  return work;
}

/** Restores the saved configs of `work` (from brokersToRevert), broker by broker. */
export async function revertBrokers(
  settings: ConnectionSettings,
  work: BrokerPlan[],
  options: { timeoutMs: number; signal?: AbortSignal; onProgress?: (text: string) => void },
): Promise<void> {
  const done: number[] = [];
  try {
    for (const entry of work) {
      options.onProgress?.(`broker ${entry.brokerId}: restoring its listener configs`);
      await incrementalAlterBrokerConfigs(settings, entry.brokerId, revertOperations(entry));
      done.push(entry.brokerId);
      await waitForValues(settings, entry.brokerId, entry.before, options);
    }
  } catch (error) {
    if (error instanceof KfeedError && (error.kind === 'interrupted' || error.kind === 'terminated')) {
      const restored = done.length ? `broker(s) ${done.join(', ')} restored` : 'no broker restored';
      throw new KfeedError(error.kind, `revert stopped (${restored})`, {
        hint: 'run the same --revert again to finish it',
      });
    }
    throw error;
  }
}

function sameValues(a: ListenerValues | Record<string, string>, b: ListenerValues | Record<string, string>): boolean {
  return LISTENER_KEYS.every((k) => (a[k as keyof typeof a] ?? null) === (b[k as keyof typeof b] ?? null));
}

/** Dynamic broker configs take effect asynchronously (through ZooKeeper): poll until they show. */
async function waitForValues(
  settings: ConnectionSettings,
  brokerId: number,
  expected: ListenerValues | Record<string, string>,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<void> {
  let seen: ListenerValues | undefined;
  await poll(
    async () => {
      const brokers = await withAdmin(settings, (admin) => readListenerConfigs(admin));
      seen = brokers.find((b) => b.brokerId === brokerId)?.values;
      return seen && sameValues(seen, expected) ? true : undefined;
    },
    {
      what: `broker ${brokerId} to take the new listener configs`,
      timeoutMs: options.timeoutMs,
      intervalMs: 500,
      signal: options.signal,
      onTimeout: () =>
        new KfeedError(
          'verification',
          `broker ${brokerId} did not take the new listener configs within ${Math.round(options.timeoutMs / 1000)} s ` +
            `(it reports listeners=${seen?.listeners})`,
          {
            hint: 'see the broker log',
          },
        ),
    },
  );
}

/**
 * A metadata request on each broker's new listener (reached directly, so no load balancer
 * is needed yet) must list every broker at its new advertised address.
 */
async function verifyEndpoints(
  settings: ConnectionSettings,
  plan: ListenerPlan,
  options: { timeoutMs: number; signal?: AbortSignal },
): Promise<VerifiedBroker[]> {
  const expected = plan.plan.map((e) => `${e.advertised.host}:${e.advertised.port}`).sort();
  const results: VerifiedBroker[] = [];
  for (const entry of plan.plan) {
    let lastError = '';
    const advertises = await poll(
      async () => {
        try {
          const seen = (await advertisedVia(settings, entry.direct)).map((b) => `${b.host}:${b.port}`).sort();
          if (JSON.stringify(seen) === JSON.stringify(expected)) return seen;
          lastError = `it advertises ${seen.join(',')}`;
        } catch (error) {
          lastError = (error as Error).message; // not listening yet: try again
        }
        return undefined;
      },
      {
        what: `broker ${entry.brokerId} to serve its new listener`,
        timeoutMs: options.timeoutMs,
        intervalMs: 500,
        signal: options.signal,
        onTimeout: () =>
          new KfeedError(
            'verification',
            `the new listener of broker ${entry.brokerId} at ${entry.direct} ` +
              `does not serve the new addresses (${lastError})`,
            {
              hint: 'see the broker log',
            },
          ),
      },
    );
    results.push({ brokerId: entry.brokerId, direct: entry.direct, advertises });
  }
  return results;
}
