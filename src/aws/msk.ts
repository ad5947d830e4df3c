import type { KafkaClient } from '@aws-sdk/client-kafka';
import { KfeedError } from '../errors.js';
import { poll } from '../wait.js';
import type { AwsClientConfig } from './config.js';
import { translateAwsError } from './errors.js';
import type { MetadataMode } from '../kafka/broker-configs.js';

/**
 * Amazon MSK through @aws-sdk/client-kafka: finding a cluster, its brokers and bootstrap
 * strings, and applying a configuration revision. The SDK is imported on demand.
 */

export type MskClientConfig = AwsClientConfig;

export type { MetadataMode };

export interface MskCluster {
  arn: string;
  name: string;
  state: string;
  type: string;
  kafkaVersion?: string;
  brokerCount?: number;
  mode: MetadataMode;
  currentVersion?: string;
  auth: { tls: boolean; scram: boolean; iam: boolean; unauthenticated: boolean };
  configuration?: { arn: string; revision: number };
}

export interface MskBootstrap {
  plaintext?: string;
  tls?: string;
  saslScram?: string;
  saslIam?: string;
  publicTls?: string;
  publicSaslScram?: string;
  publicSaslIam?: string;
}

export interface MskBroker {
  brokerId: number;
  endpoints: string[];
  clientVpcIp?: string;
  subnet?: string;
}

export async function createMskClient(config: MskClientConfig): Promise<KafkaClient> {
  const { KafkaClient: Client } = await import('@aws-sdk/client-kafka');
  return new Client({
    ...(config.region ? { region: config.region } : {}),
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    ...(config.credentials ? { credentials: config.credentials } : {}),
    maxAttempts: config.maxAttempts,
  });
}

async function call<T>(what: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw translateAwsError(error, what);
  }
}

/** The cluster ARN for a name (ListClustersV2 filters by prefix; only an exact name counts). */
export async function findClusterArn(client: KafkaClient, name: string): Promise<string> {
  const { ListClustersV2Command } = await import('@aws-sdk/client-kafka');
  const exact: string[] = [];
  const similar: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('listing MSK clusters', () =>
      client.send(new ListClustersV2Command({ ClusterNameFilter: name, NextToken: nextToken })),
    );
    for (const cluster of page.ClusterInfoList ?? []) {
      if (cluster.ClusterName === name && cluster.ClusterArn) exact.push(cluster.ClusterArn);
      else if (cluster.ClusterName) similar.push(cluster.ClusterName);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  if (exact.length === 1) return exact[0];
  if (exact.length > 1) {
    throw new KfeedError('conflict', `${exact.length} MSK clusters are named "${name}"`, {
      hint: `pass --cluster-arn, one of ${exact.join(', ')}`,
    });
  }
  throw new KfeedError('notFound', `no MSK cluster named "${name}" in this account and region`, {
    hint: similar.length
      ? `similar names: ${similar.slice(0, 5).join(', ')}`
      : 'check the name, --region and the AWS account',
  });
}

export async function describeMskCluster(client: KafkaClient, arn: string): Promise<MskCluster> {
  const { DescribeClusterV2Command } = await import('@aws-sdk/client-kafka');
  const { ClusterInfo: info } = await call(`describing cluster ${arn}`, () =>
    client.send(new DescribeClusterV2Command({ ClusterArn: arn })),
  );
  if (!info) throw new KfeedError('aws', `MSK returned no description of ${arn}`);
  const provisioned = info.Provisioned;
  const software = provisioned?.CurrentBrokerSoftwareInfo;
  const kafkaVersion = software?.KafkaVersion;
  const auth = provisioned?.ClientAuthentication;
  const major = kafkaVersion ? Number(kafkaVersion.split('.')[0]) : NaN;
  // MSK names KRaft versions "3.7.x.kraft"; every Kafka 4 is KRaft; ZooKeeper clusters have a connect string.
  const mode: MetadataMode =
    (kafkaVersion && /kraft/i.test(kafkaVersion)) || major >= 4
      ? 'kraft'
      : provisioned?.ZookeeperConnectString || provisioned?.ZookeeperConnectStringTls
        ? 'zookeeper'
        : 'unknown';
  return {
    arn: info.ClusterArn ?? arn,
    name: info.ClusterName ?? '',
    state: info.State ?? 'UNKNOWN',
    type: info.ClusterType ?? 'PROVISIONED',
    kafkaVersion,
    brokerCount: provisioned?.NumberOfBrokerNodes,
    mode,
    currentVersion: info.CurrentVersion,
    auth: {
      tls: Boolean(auth?.Tls?.Enabled),
      scram: Boolean(auth?.Sasl?.Scram?.Enabled),
      iam: Boolean(auth?.Sasl?.Iam?.Enabled),
      unauthenticated: Boolean(auth?.Unauthenticated?.Enabled),
    },
    configuration: software?.ConfigurationArn
      ? { arn: software.ConfigurationArn, revision: Number(software.ConfigurationRevision ?? 1) }
      : undefined,
  };
}

export function requireActive(cluster: MskCluster): void {
  if (cluster.state !== 'ACTIVE') {
    throw new KfeedError('conflict', `MSK cluster ${cluster.name || cluster.arn} is ${cluster.state}, not ACTIVE`, {
      hint: 'wait until it is ACTIVE (aws kafka describe-cluster-v2), then retry',
    });
  }
}

export async function getBootstrap(client: KafkaClient, arn: string): Promise<MskBootstrap> {
  const { GetBootstrapBrokersCommand } = await import('@aws-sdk/client-kafka');
  const r = await call('getting the bootstrap brokers', () =>
    client.send(new GetBootstrapBrokersCommand({ ClusterArn: arn })),
  );
  const drop = (o: MskBootstrap) => Object.fromEntries(Object.entries(o).filter(([, v]) => v)) as MskBootstrap;
  return drop({
    plaintext: r.BootstrapBrokerString,
    tls: r.BootstrapBrokerStringTls,
    saslScram: r.BootstrapBrokerStringSaslScram,
    saslIam: r.BootstrapBrokerStringSaslIam,
    publicTls: r.BootstrapBrokerStringPublicTls,
    publicSaslScram: r.BootstrapBrokerStringPublicSaslScram,
    publicSaslIam: r.BootstrapBrokerStringPublicSaslIam,
  });
}

/** The cluster's brokers by id (ListNodes, every page; controller nodes left out). */
export async function listBrokers(client: KafkaClient, arn: string): Promise<MskBroker[]> {
  const { ListNodesCommand } = await import('@aws-sdk/client-kafka');
  const brokers: MskBroker[] = [];
  let nextToken: string | undefined;
  do {
    const page = await call('listing the brokers', () =>
      client.send(new ListNodesCommand({ ClusterArn: arn, NextToken: nextToken })),
    );
    for (const node of page.NodeInfoList ?? []) {
      const info = node.BrokerNodeInfo;
      if (!info || info.BrokerId === undefined) continue;
      brokers.push({
        brokerId: Number(info.BrokerId),
        endpoints: info.Endpoints ?? [],
        clientVpcIp: info.ClientVpcIpAddress,
        subnet: info.ClientSubnet,
      });
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return brokers.sort((a, b) => a.brokerId - b.brokerId);
}

// ---- configurations

export const CUSTOM_ADVERTISED_LISTENERS = 'custom.advertised.listeners';

/** Sets (or with `value` undefined, removes) one property in server.properties text, keeping the rest. */
export function setServerProperty(text: string, key: string, value: string | undefined): string {
  const lines = text.split(/\r?\n/);
  const pattern = new RegExp(`^\\s*${key.replaceAll('.', '\\.')}\\s*[=:]`);
  const kept = lines.filter((line) => !pattern.test(line));
  while (kept.length && kept[kept.length - 1].trim() === '') kept.pop();
  if (value !== undefined) kept.push(`${key}=${value}`);
  return kept.join('\n') + '\n';
}

export function getServerProperty(text: string, key: string): string | undefined {
  const pattern = new RegExp(`^\\s*${key.replaceAll('.', '\\.')}\\s*[=:]\\s*(.*)$`);
  for (const line of text.split(/\r?\n/)) {
    const match = pattern.exec(line);
    if (match) return match[1].trim();
  }
  return undefined;
}

export async function readConfigurationRevision(client: KafkaClient, arn: string, revision: number): Promise<string> {
  const { DescribeConfigurationRevisionCommand } = await import('@aws-sdk/client-kafka');
  const r = await call(`reading configuration ${arn} revision ${revision}`, () =>
    client.send(new DescribeConfigurationRevisionCommand({ Arn: arn, Revision: revision })),
  );
  return r.ServerProperties ? Buffer.from(r.ServerProperties).toString('utf8') : '';
}

/** A new revision of an existing configuration, or a new configuration; returns where it is. */
export async function writeConfiguration(
  client: KafkaClient,
  input: { existingArn?: string; name: string; kafkaVersion?: string; serverProperties: string; description: string },
): Promise<{ arn: string; revision: number }> {
  const { CreateConfigurationCommand, UpdateConfigurationCommand } = await import('@aws-sdk/client-kafka');
  const body = new TextEncoder().encode(input.serverProperties);
  if (input.existingArn) {
    const r = await call(`updating configuration ${input.existingArn}`, () =>
      client.send(
        new UpdateConfigurationCommand({
          Arn: input.existingArn,
          ServerProperties: body,
          Description: input.description,
        }),
      ),
    );
    return { arn: r.Arn ?? input.existingArn!, revision: Number(r.LatestRevision?.Revision) };
  }
  const r = await call(`creating configuration ${input.name}`, () =>
    client.send(
      new CreateConfigurationCommand({
        Name: input.name,
        ServerProperties: body,
        Description: input.description,
        ...(input.kafkaVersion ? { KafkaVersions: [input.kafkaVersion] } : {}),
      }),
    ),
  );
  if (!r.Arn) throw new KfeedError('aws', `MSK returned no ARN for configuration ${input.name}`);
  return { arn: r.Arn, revision: Number(r.LatestRevision?.Revision ?? 1) };
}

/** Applies a configuration revision to the cluster (a rolling restart); returns the operation ARN. */
export async function applyConfiguration(
  client: KafkaClient,
  cluster: MskCluster,
  configuration: { arn: string; revision: number },
): Promise<string> {
  const { UpdateClusterConfigurationCommand } = await import('@aws-sdk/client-kafka');
  if (!cluster.currentVersion)
    throw new KfeedError('aws', `MSK did not report the current version of ${cluster.arn}`, {
      hint: 'retry in a moment',
    });
  const r = await call(
    `applying configuration revision ${configuration.revision} to ${cluster.name || cluster.arn}`,
    () =>
      client.send(
        new UpdateClusterConfigurationCommand({
          ClusterArn: cluster.arn,
          ConfigurationInfo: { Arn: configuration.arn, Revision: configuration.revision },
          CurrentVersion: cluster.currentVersion,
        }),
      ),
  );
  if (!r.ClusterOperationArn) throw new KfeedError('aws', 'MSK returned no cluster operation for the update');
  return r.ClusterOperationArn;
}

export interface OperationStatus {
  state: string;
  steps: Array<{ name: string; status: string }>;
  error?: string;
}

export async function describeOperation(client: KafkaClient, operationArn: string): Promise<OperationStatus> {
  const { DescribeClusterOperationV2Command } = await import('@aws-sdk/client-kafka');
  const r = await call('reading the cluster operation', () =>
    client.send(new DescribeClusterOperationV2Command({ ClusterOperationArn: operationArn })),
  );
  const info = r.ClusterOperationInfo;
  const error = info?.ErrorInfo
    ? [info.ErrorInfo.ErrorCode, info.ErrorInfo.ErrorString].filter(Boolean).join(': ')
    : undefined;
  return {
    state: info?.OperationState ?? 'UNKNOWN',
    steps: (info?.Provisioned?.OperationSteps ?? []).map((s) => ({
      name: s.StepName ?? '',
      status: s.StepInfo?.StepStatus ?? '',
    })),
    ...(error ? { error } : {}),
  };
}

const DONE = new Set(['UPDATE_COMPLETE']);
const FAILED = new Set(['UPDATE_FAILED', 'FAILED']);

/** Polls the operation until it completes or fails; `onStatus` sees every poll; `signal` ends the wait at once. */
export async function waitForOperation(
  client: KafkaClient,
  operationArn: string,
  options: {
    intervalMs: number;
    timeoutMs: number;
    signal?: AbortSignal;
    onStatus?: (status: OperationStatus) => void;
  },
): Promise<OperationStatus> {
  const follow = `follow it with aws kafka describe-cluster-operation-v2 --cluster-operation-arn ${operationArn}`;
  let last: OperationStatus | undefined;
  try {
    return await poll(
      async () => {
        const status = await describeOperation(client, operationArn);
        last = status;
        options.onStatus?.(status);
        if (DONE.has(status.state)) return status;
        if (FAILED.has(status.state)) {
          throw new KfeedError('aws', `the MSK cluster operation failed (${status.error ?? status.state})`, {
            hint: `see aws kafka describe-cluster-operation-v2 --cluster-operation-arn ${operationArn}`,
          });
        }
        return undefined;
      },
      {
        what: 'the MSK cluster operation',
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs,
        signal: options.signal,
        onTimeout: () =>
          new KfeedError(
            'aws',
            `the MSK cluster operation is still ${last?.state ?? 'running'} ` +
              `after ${Math.round(options.timeoutMs / 1000)} s`,
            { hint: `it keeps running; ${follow}` },
          ),
      },
    );
  } catch (error) {
    if (error instanceof KfeedError && (error.kind === 'interrupted' || error.kind === 'terminated')) {
      throw new KfeedError(error.kind, 'stopped waiting for the MSK cluster operation (it keeps running)', {
        hint: follow,
      });
    }
    throw error;
  }
}
