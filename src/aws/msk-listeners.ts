import type { KafkaClient } from '@aws-sdk/client-kafka';
import { readUserFile } from '../config/files.js';
import { KfeedError } from '../errors.js';
import { MSK_LISTENER_PLAN_KIND, writePlanFile } from '../kafka/listener-plan-file.js';
import { advertisedAddress, customAdvertisedListeners, defaultHostTemplate, type NlbRow } from '../kafka/listeners.js';
import {
  CUSTOM_ADVERTISED_LISTENERS,
  describeMskCluster,
  getServerProperty,
  listBrokers,
  readConfigurationRevision,
  requireActive,
  setServerProperty,
  waitForOperation,
  writeConfiguration,
  type MskCluster,
  type OperationStatus,
} from './msk.js';

/**
 * `update-listeners --msk`: KRaft brokers refuse run-time listener changes, so on Amazon MSK
 * the new addresses go into the cluster property custom.advertised.listeners, through a
 * configuration revision that MSK applies with a rolling restart.
 */

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
const DEFAULT_MSK_LISTENER = 'CLIENT_SECURE';

/** A rolling restart takes tens of minutes: never stop waiting for one before an hour. */
const MIN_OPERATION_WAIT_MS = 3600 * 1000;

export type ConfigurationRevision = { arn: string; revision: number };

export interface MskListenerPlan {
  kind: typeof MSK_LISTENER_PLAN_KIND;
  version: 1;
  createdAt: string;
  clusterArn: string;
  clusterName: string;
  listenerName: string;
  hostTemplate: string;
  portBase: number;
  property: string;
  /** The configuration the cluster ran before, if any: --revert applies it again. */
  previous?: ConfigurationRevision;
  /** The revision --apply wrote. */
  written?: ConfigurationRevision;
  nlb: NlbRow[];
}

export interface MskListenerMapping {
  cluster: MskCluster;
  listenerName: string;
  hostTemplate: string;
  portBase: number;
  /** The value of custom.advertised.listeners. */
  property: string;
  /** The load balancer table, from the same mapping. */
  nlb: NlbRow[];
}

/** The (ACTIVE) cluster, and broker id -> advertised address -> load balancer target for each of its brokers. */
export async function mskListenerMapping(
  client: KafkaClient,
  clusterArn: string,
  request: { listenerName?: string; hostTemplate?: string; portBase: number },
): Promise<MskListenerMapping> {
  const cluster = await describeMskCluster(client, clusterArn);
  requireActive(cluster);
  const brokers = await listBrokers(client, clusterArn);
  if (brokers.length === 0)
    throw new KfeedError('aws', `MSK lists no brokers for ${cluster.name}`, {
      hint: 'retry when the cluster is ACTIVE',
    });
  const listenerName = request.listenerName ?? DEFAULT_MSK_LISTENER;
  const targetPort = MSK_CLIENT_LISTENERS[listenerName];
  if (!targetPort) {
    throw new KfeedError(
      'usage',
      `MSK's custom.advertised.listeners only re-advertises its client listeners, not ${listenerName}`,
      {
        hint: `use --listener-name with one of ${Object.keys(MSK_CLIENT_LISTENERS).join(', ')}`,
      },
    );
  }
  const hosts = brokers.map((b) => b.endpoints[0] ?? '');
  const hostTemplate = request.hostTemplate ?? defaultHostTemplate(hosts);
  const portBase = request.portBase;
  const property = customAdvertisedListeners(listenerName, hostTemplate, portBase);
  const nlb: NlbRow[] = brokers.map((b) => {
    const advertised = advertisedAddress({ hostTemplate, portBase }, b.brokerId);
    return {
      nlbPort: advertised.port,
      brokerId: b.brokerId,
      advertised: `${advertised.host}:${advertised.port}`,
      target: `${b.clientVpcIp ?? b.endpoints[0]}:${targetPort}`,
    };
  });
  return { cluster, listenerName, hostTemplate, portBase, property, nlb };
}

export interface MskListenerChange {
  cluster: MskCluster;
  /** server.properties of the configuration the cluster runs ('' when it runs none). */
  current: string;
  /** custom.advertised.listeners in it now. */
  before?: string;
  /** The configuration --apply creates when the cluster runs none. */
  configurationName: string;
  plan: MskListenerPlan;
}

/** Reads the configuration the cluster runs and plans the property change; changes nothing. */
export async function planMskListenerChange(
  client: KafkaClient,
  mapping: MskListenerMapping,
  options: { configurationName?: string },
): Promise<MskListenerChange> {
  const { cluster } = mapping;
  const current = cluster.configuration
    ? await readConfigurationRevision(client, cluster.configuration.arn, cluster.configuration.revision)
    : '';
  const plan: MskListenerPlan = {
    kind: MSK_LISTENER_PLAN_KIND,
    version: 1,
    createdAt: new Date().toISOString(),
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    listenerName: mapping.listenerName,
    hostTemplate: mapping.hostTemplate,
    portBase: mapping.portBase,
    property: mapping.property,
    ...(cluster.configuration ? { previous: cluster.configuration } : {}),
    nlb: mapping.nlb,
  };
  return {
    cluster,
    current,
    before: getServerProperty(current, CUSTOM_ADVERTISED_LISTENERS),
    configurationName: options.configurationName ?? `kfeed-${cluster.name}`,
    plan,
  };
}

/**
 * Writes the configuration revision that carries the property (a new revision of the running
 * configuration, or a new configuration) and records it in the plan file, which the caller
 * saved before. Returns the plan with `written` set; the cluster does not run it yet.
 */
export async function writeMskListenerRevision(
  client: KafkaClient,
  change: MskListenerChange,
  planFile: string,
): Promise<MskListenerPlan & { written: ConfigurationRevision }> {
  const { cluster, plan } = change;
  const written = await writeConfiguration(client, {
    existingArn: cluster.configuration?.arn,
    name: change.configurationName,
    kafkaVersion: cluster.kafkaVersion,
    serverProperties: setServerProperty(change.current, CUSTOM_ADVERTISED_LISTENERS, plan.property),
    description: `kfeed update-listeners: ${plan.listenerName} advertised at ${plan.hostTemplate}:${plan.portBase}+id`,
  });
  const saved = { ...plan, written };
  writePlanFile(planFile, saved);
  return saved;
}

/** Waits for the cluster operation that applies a configuration (see applyConfiguration in msk.ts). */
export async function waitForConfigurationOperation(
  client: KafkaClient,
  cluster: MskCluster,
  operationArn: string,
  options: { pollIntervalMs: number; timeoutMs: number; signal?: AbortSignal; onProgress?: (text: string) => void },
): Promise<OperationStatus & { operationArn: string }> {
  const status = await waitForOperation(client, operationArn, {
    intervalMs: options.pollIntervalMs,
    timeoutMs: Math.max(options.timeoutMs, MIN_OPERATION_WAIT_MS),
    signal: options.signal,
    onStatus: (s) => {
      const step =
        s.steps.find((x) => x.status && x.status !== 'SUCCESS' && x.status !== 'COMPLETED') ??
        s.steps[s.steps.length - 1];
      options.onProgress?.(`${cluster.name}: ${s.state}${step ? ` (${step.name}: ${step.status})` : ''}`);
    },
  });
  return { operationArn, ...status };
}

/** An MSK plan that `--msk --apply` saved. */
export function readMskListenerPlan(file: string): MskListenerPlan {
  let plan: MskListenerPlan | null;
  try {
    plan = JSON.parse(readUserFile(file, 'plan file')) as MskListenerPlan | null;
  } catch (error) {
    if (error instanceof KfeedError) throw error;
    throw new KfeedError('usage', `${file} is not JSON, so not a kfeed MSK listener plan`, {
      hint: 'pass the plan file that --msk --apply wrote',
    });
  }
  if (!plan || typeof plan !== 'object' || plan.kind !== MSK_LISTENER_PLAN_KIND || plan.version !== 1)
    throw new KfeedError('usage', `${file} is not a kfeed MSK listener plan`, {
      hint: 'pass the plan file that --msk --apply wrote',
    });
  return plan;
}

/**
 * The configuration revision that undoes the plan: the one the cluster ran before, or, when
 * it ran none, a new revision of ours without the property (written here). Refuses, unless
 * `force`, when the cluster no longer runs the revision the plan applied.
 */
export async function mskRevertTarget(
  client: KafkaClient,
  plan: MskListenerPlan,
  options: { force?: boolean },
): Promise<{ cluster: MskCluster; target: ConfigurationRevision }> {
  const cluster = await describeMskCluster(client, plan.clusterArn);
  requireActive(cluster);
  const running = cluster.configuration;
  if (
    plan.written &&
    (running?.arn !== plan.written.arn || running.revision !== plan.written.revision) &&
    !options.force
  ) {
    throw new KfeedError(
      'conflict',
      `cluster ${cluster.name} no longer runs the revision the plan applied; nothing was reverted`,
      { hint: 'pass --force to revert anyway' },
    );
  }
  if (plan.previous) return { cluster, target: plan.previous };
  if (!running) throw new KfeedError('config', `cluster ${cluster.name} runs no configuration; nothing to revert`);
  const text = await readConfigurationRevision(client, running.arn, running.revision);
  const target = await writeConfiguration(client, {
    existingArn: running.arn,
    name: '',
    serverProperties: setServerProperty(text, CUSTOM_ADVERTISED_LISTENERS, undefined),
    description: 'kfeed update-listeners --revert: custom.advertised.listeners removed',
  });
  return { cluster, target };
}
