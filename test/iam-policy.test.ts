import { CreatePolicyCommand, GetPolicyVersionCommand, IAMClient } from '@aws-sdk/client-iam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildClientPolicy } from '../src/aws/iam-policy.js';
import { startMoto, type Moto } from './helpers/moto.js';
import { kfeed } from './helpers/run.js';

const CLUSTER = 'arn:aws:kafka:eu-west-1:123456789012:cluster/feed/3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7';

describe('kfeed iam policy', () => {
  let moto: Moto;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(async () => {
    await moto?.stop();
  });

  for (const role of ['consumer', 'producer'] as const) {
    it(`prints a ${role} policy that IAM (moto) accepts with CreatePolicy`, async () => {
      const result = await kfeed([
        'iam',
        'policy',
        '--cluster-arn',
        CLUSTER,
        '--topics',
        'quote,trade',
        '--role',
        role,
      ]);
      expect(result.stderr).toBe('');
      expect(result.code).toBe(0);
      const printed = JSON.parse(result.stdout);
      expect(printed).toEqual(buildClientPolicy({ clusterArn: CLUSTER, topics: ['quote', 'trade'], role }));
      const iam = new IAMClient({
        endpoint: moto.endpoint,
        region: 'us-east-1',
        credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      });
      const created = await iam.send(
        new CreatePolicyCommand({ PolicyName: `kfeed-${role}`, PolicyDocument: result.stdout }),
      );
      expect(created.Policy?.Arn).toMatch(new RegExp(`^arn:aws:iam::\\d{12}:policy/kfeed-${role}$`));
      const stored = await iam.send(
        new GetPolicyVersionCommand({ PolicyArn: created.Policy!.Arn, VersionId: created.Policy!.DefaultVersionId }),
      );
      expect(JSON.parse(decodeURIComponent(stored.PolicyVersion!.Document!))).toEqual(printed);
    });
  }

  it('moto refuses a malformed document, so its acceptance above means something', async () => {
    const iam = new IAMClient({
      endpoint: moto.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const broken = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: ['kafka-cluster Connect'], Resource: ['nope'] }],
    });
    await expect(iam.send(new CreatePolicyCommand({ PolicyName: 'broken', PolicyDocument: broken }))).rejects.toThrow(
      /MalformedPolicyDocument|Action|Resource/,
    );
  });

  it('--json prints the same document', async () => {
    const result = await kfeed([
      'iam',
      'policy',
      '--cluster-arn',
      CLUSTER,
      '--topics',
      'quote',
      '--role',
      'consumer',
      '--json',
    ]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(
      buildClientPolicy({ clusterArn: CLUSTER, topics: ['quote'], role: 'consumer' }),
    );
  });

  it('bad input is one line with a usage exit code', async () => {
    const cases: Array<[string[], RegExp]> = [
      [
        ['--cluster-arn', 'arn:aws:kafka:eu-west-1:123:cluster/x', '--topics', 'quote', '--role', 'consumer'],
        /is not an MSK cluster ARN/,
      ],
      [['--cluster-arn', CLUSTER, '--topics', 'quote', '--role', 'admin'], /unknown role "admin"/],
      [['--cluster-arn', CLUSTER, '--topics', 'quo*te', '--role', 'consumer'], /is not a Kafka topic name/],
      [
        ['--cluster-arn', CLUSTER, '--topics', 'quote', '--role', 'producer', '--group-prefix', 'g'],
        /--group-prefix is for consumers/,
      ],
    ];
    for (const [args, message] of cases) {
      const result = await kfeed(['iam', 'policy', ...args]);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(message);
    }
  });
});
