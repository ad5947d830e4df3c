import { describe, expect, it } from 'vitest';
import {
  buildClientPolicy,
  checkPolicyRequest,
  groupArnPattern,
  parseClusterArn,
  topicArn,
  type PolicyRequest,
} from '../../src/aws/iam-policy.js';
import { expectKfeedError } from '../helpers/assert.js';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/feed/3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7';
const PREFIX = 'arn:aws:kafka:eu-west-1:123456789012';
const NAME_UUID = 'feed/3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7';

describe('iam policy: the documented actions and ARN formats', () => {
  it('consumer: Connect on the cluster, DescribeTopic+ReadData on each topic, DescribeGroup+AlterGroup on the groups', () => {
    const policy = buildClientPolicy({
      clusterArn: CLUSTER,
      topics: ['quote', 'trade'],
      role: 'consumer',
      groupPrefix: 'desk-',
    });
    expect(policy).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'Cluster', Effect: 'Allow', Action: ['kafka-cluster:Connect'], Resource: [CLUSTER] },
        {
          Sid: 'Topics',
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
          Resource: [`${PREFIX}:topic/${NAME_UUID}/quote`, `${PREFIX}:topic/${NAME_UUID}/trade`],
        },
        {
          Sid: 'Groups',
          Effect: 'Allow',
          Action: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
          Resource: [`${PREFIX}:group/${NAME_UUID}/desk-*`],
        },
      ],
    });
  });

  it('producer: Connect+WriteDataIdempotently on the cluster, DescribeTopic+WriteData on each topic, no groups', () => {
    const policy = buildClientPolicy({ clusterArn: CLUSTER, topics: ['quote'], role: 'producer' });
    expect(policy.Statement).toEqual([
      {
        Sid: 'Cluster',
        Effect: 'Allow',
        Action: ['kafka-cluster:Connect', 'kafka-cluster:WriteDataIdempotently'],
        Resource: [CLUSTER],
      },
      {
        Sid: 'Topics',
        Effect: 'Allow',
        Action: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        Resource: [`${PREFIX}:topic/${NAME_UUID}/quote`],
      },
    ]);
  });

  it('keeps the partition of the cluster ARN and allows every group without a prefix', () => {
    const cn = 'arn:aws-cn:kafka:cn-north-1:123456789012:cluster/c/u-1';
    expect(parseClusterArn(cn)).toMatchObject({ partition: 'aws-cn', region: 'cn-north-1', name: 'c', uuid: 'u-1' });
    const policy = buildClientPolicy({ clusterArn: cn, topics: ['t'], role: 'consumer' });
    expect(policy.Statement[2].Resource).toEqual(['arn:aws-cn:kafka:cn-north-1:123456789012:group/c/u-1/*']);
  });
});

describe('iam policy: what is refused, in one line each', () => {
  const request = (extra: Partial<PolicyRequest>): PolicyRequest => ({
    clusterArn: CLUSTER,
    topics: ['quote'],
    role: 'consumer',
    ...extra,
  });

  it('the cluster ARN: the documented shape only, spaces around it ignored', () => {
    expect(parseClusterArn(`  ${CLUSTER} `)).toEqual({
      partition: 'aws',
      region: 'eu-west-1',
      account: '123456789012',
      name: 'feed',
      uuid: '3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7',
      arn: CLUSTER,
    });
    for (const bad of [
      'arn:aws:kafka:eu-west-1:123:cluster/feed/u',
      'arn:aws:kafka:eu-west-1:123456789012:cluster/feed',
      'arn:aws:kafka:eu-west-1:123456789012:topic/feed/u/t',
      'arn:aws:s3:eu-west-1:123456789012:cluster/feed/u',
      `x${CLUSTER}`,
      `${CLUSTER}/more`,
      'arn:aws:kafka:eu-west-1:123456789012:cluster/fe ed/u',
    ]) {
      expectKfeedError(() => parseClusterArn(bad), 'usage', `"${bad}" is not an MSK cluster ARN`, {
        hint: 'pass it as arn:aws:kafka:REGION:ACCOUNT:cluster/NAME/UUID (`kfeed msk discover` shows it)',
      });
    }
  });

  it('topic and group ARNs are built from the cluster name and UUID', () => {
    const cluster = parseClusterArn(CLUSTER);
    expect(topicArn(cluster, 'quote')).toBe(`${PREFIX}:topic/${NAME_UUID}/quote`);
    expect(groupArnPattern(cluster)).toBe(`${PREFIX}:group/${NAME_UUID}/*`);
    expect(groupArnPattern(cluster, 'desk-')).toBe(`${PREFIX}:group/${NAME_UUID}/desk-*`);
  });

  it('roles, topics and group prefixes that would widen or break the policy', () => {
    expectKfeedError(
      () => checkPolicyRequest(request({ role: 'admin' as 'consumer' })),
      'usage',
      'unknown role "admin"',
      {
        hint: 'use consumer or producer',
      },
    );
    expectKfeedError(() => checkPolicyRequest(request({ topics: [] })), 'usage', 'no topics given', {
      hint: 'pass --topics quote,trade',
    });
    for (const topic of ['quo*te', 'a b', '', 'x'.repeat(250), 'quote/1']) {
      expectKfeedError(
        () => checkPolicyRequest(request({ topics: ['trade', topic] })),
        'usage',
        `"${topic}" is not a Kafka topic name`,
        {
          hint: 'use letters, digits, ".", "_" and "-"',
        },
      );
    }
    expect(() => checkPolicyRequest(request({ topics: ['a.b_c-D9', 'x'.repeat(249)] }))).not.toThrow();
    for (const prefix of ['desk*', 'de?sk', 'de sk']) {
      expectKfeedError(
        () => checkPolicyRequest(request({ groupPrefix: prefix })),
        'usage',
        `group prefix "${prefix}" contains a wildcard or space`,
        { hint: 'give the literal start of the group names' },
      );
    }
    expectKfeedError(
      () => checkPolicyRequest(request({ role: 'producer', groupPrefix: 'g' })),
      'usage',
      '--group-prefix is for consumers',
      {
        hint: 'producers use no consumer group',
      },
    );
    expect(() => checkPolicyRequest(request({ role: 'producer' }))).not.toThrow();
    expectKfeedError(
      () => buildClientPolicy(request({ clusterArn: 'arn:x' })),
      'usage',
      '"arn:x" is not an MSK cluster ARN',
    );
  });

  it('a topic named twice is listed once', () => {
    const policy = buildClientPolicy(request({ topics: ['quote', 'trade', 'quote'] }));
    expect(policy.Statement[1].Resource).toEqual([
      `${PREFIX}:topic/${NAME_UUID}/quote`,
      `${PREFIX}:topic/${NAME_UUID}/trade`,
    ]);
  });
});
