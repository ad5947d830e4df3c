import { KfeedError } from '../errors.js';

/**
 * Least-privilege IAM policies for MSK clients authenticated with IAM. Action names and
 * resource ARNs follow MSK's "IAM authorization policy actions and resources" page:
 *   cluster  arn:PARTITION:kafka:REGION:ACCOUNT:cluster/CLUSTER_NAME/CLUSTER_UUID
 *   topic    arn:PARTITION:kafka:REGION:ACCOUNT:topic/CLUSTER_NAME/CLUSTER_UUID/TOPIC
 *   group    arn:PARTITION:kafka:REGION:ACCOUNT:group/CLUSTER_NAME/CLUSTER_UUID/GROUP
 */
export type ClientRole = 'consumer' | 'producer';
export const CLIENT_ROLES: readonly ClientRole[] = ['consumer', 'producer'];

export interface ClusterArn {
  partition: string;
  region: string;
  account: string;
  name: string;
  uuid: string;
  arn: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface IamPolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export interface PolicyRequest {
  clusterArn: string;
  topics: string[];
  role: ClientRole;
  /** Consumer groups the client may use: names starting with this (default: any group). */
  groupPrefix?: string;
}

/** The actions each role needs, split by the resource type they apply to. */
export const ROLE_ACTIONS: Record<ClientRole, { cluster: string[]; topic: string[]; group: string[] }> = {
  consumer: {
    cluster: ['kafka-cluster:Connect'],
    topic: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
    group: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
  },
  producer: {
    // WriteDataIdempotently is a cluster action (Kafka's IDEMPOTENT_WRITE on the cluster).
    cluster: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
    topic: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
    group: [],
  },
};

const CLUSTER_ARN = /^arn:(aws[a-z-]*):kafka:([a-z0-9-]+):(\d{12}):cluster\/([^/\s]+)\/([^/\s]+)$/;
// Kafka's own rule for topic names; anything else could widen a resource pattern.
const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

export function parseClusterArn(arn: string): ClusterArn {
  const match = CLUSTER_ARN.exec(arn.trim());
  if (!match) {
    throw new KfeedError('usage', `"${arn}" is not an MSK cluster ARN`, {
      hint: 'pass it as arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID (`kfeed msk discover` shows it)',
    });
  }
  const [, partition, region, account, name, uuid] = match;
  return { partition, region, account, name, uuid, arn: arn.trim() };
}

function resourceArn(cluster: ClusterArn, type: 'topic' | 'group', name: string): string {
  const { partition, region, account } = cluster;
  return `arn:${partition}:kafka:${region}:${account}:${type}/${cluster.name}/${cluster.uuid}/${name}`;
}

export function topicArn(cluster: ClusterArn, topic: string): string {
  return resourceArn(cluster, 'topic', topic);
}

/** The group ARN pattern: every group whose name starts with `prefix` (all groups without one). */
export function groupArnPattern(cluster: ClusterArn, prefix = ''): string {
  return resourceArn(cluster, 'group', `${prefix}*`);
}

export function checkPolicyRequest(request: PolicyRequest): void {
  if (!CLIENT_ROLES.includes(request.role)) {
    throw new KfeedError('usage', `unknown role "${request.role}"`, { hint: `use ${CLIENT_ROLES.join(' or ')}` });
  }
  if (request.topics.length === 0)
    throw new KfeedError('usage', 'no topics given', { hint: 'pass --topics quote,trade' });
  for (const topic of request.topics) {
    if (!TOPIC_NAME.test(topic)) {
      throw new KfeedError('usage', `"${topic}" is not a Kafka topic name`, {
        hint: 'use letters, digits, ".", "_" and "-"',
      });
    }
  }
  if (request.groupPrefix !== undefined && /[*?\s]/.test(request.groupPrefix)) {
    throw new KfeedError('usage', `group prefix "${request.groupPrefix}" contains a wildcard or space`, {
      hint: 'give the literal start of the group names',
    });
  }
  if (request.groupPrefix !== undefined && request.role === 'producer') {
    throw new KfeedError('usage', '--group-prefix is for consumers', { hint: 'producers use no consumer group' });
  }
  parseClusterArn(request.clusterArn);
}

export function buildClientPolicy(request: PolicyRequest): IamPolicyDocument {
  checkPolicyRequest(request);
  const cluster = parseClusterArn(request.clusterArn);
  const actions = ROLE_ACTIONS[request.role];
  const topics = [...new Set(request.topics)];
  const statements: PolicyStatement[] = [
    { Sid: 'Cluster', Effect: 'Allow', Action: actions.cluster, Resource: [cluster.arn] },
    { Sid: 'Topics', Effect: 'Allow', Action: actions.topic, Resource: topics.map((t) => topicArn(cluster, t)) },
  ];
  if (actions.group.length) {
    statements.push({
      Sid: 'Groups',
      Effect: 'Allow',
      Action: actions.group,
      Resource: [groupArnPattern(cluster, request.groupPrefix)],
    });
  }
  return { Version: '2012-10-17', Statement: statements };
}
