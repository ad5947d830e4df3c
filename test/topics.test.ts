import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { BIN, kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';
import { requireTool, testEnv } from './helpers/env.js';
import { sharedCluster } from './helpers/env.js';

import { unique } from './helpers/unique.js';

describe('topics on the shared mTLS cluster', () => {
  it('creates, lists, describes and deletes a topic', async () => {
    const topic = unique('quotes');
    const created = await kfeed([
      'create-topic',
      topic,
      '--partitions',
      '3',
      '--config',
      'retention.ms=3600000',
      '--json',
    ]);
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: topic,
      partitions: 3,
      replicationFactor: 1,
      configs: { 'retention.ms': '3600000' },
    });

    const listed = await kfeed(['list-topics', '--json']);
    expect(listed.code).toBe(0);
    const topics = JSON.parse(listed.stdout).topics as Array<{ name: string; partitions: number }>;
    expect(topics.find((t) => t.name === topic)).toMatchObject({ partitions: 3 });

    const described = await kfeed(['describe-topic', topic, '--json']);
    expect(described.code).toBe(0);
    const description = JSON.parse(described.stdout);
    expect(
      description.partitions.map((p: { partition: number; leader: number; isr: number[] }) => [
        p.partition,
        p.leader,
        p.isr,
      ]),
    ).toEqual([
      [0, 1, [1]],
      [1, 1, [1]],
      [2, 1, [1]],
    ]);
    expect(description.configs).toEqual([
      { name: 'retention.ms', value: '3600000', source: 'topic', sensitive: false },
    ]);

    const human = await kfeed(['describe-topic', topic]);
    expect(human.stdout).toMatch(/PARTITION\s+LEADER\s+REPLICAS\s+ISR/);

    const deleted = await kfeed(['delete-topic', topic, '--yes']);
    expect(deleted.code).toBe(0);
    expect(deleted.stdout).toContain(`deleted topic ${topic}`);
    const after = await kfeed(['list-topics', '--json', '--no-acls']);
    expect(JSON.parse(after.stdout).topics.map((t: { name: string }) => t.name)).not.toContain(topic);
  });

  it('refuses bad input with one line and the documented exit code', async () => {
    const topic = unique('dup');
    expect((await kfeed(['create-topic', topic])).code).toBe(0);
    const cases: Array<[string[], number, RegExp]> = [
      [['create-topic', topic], 8, /already exists/],
      [['create-topic', 'no spaces'], 2, /not a valid topic name/],
      [['create-topic', unique('rf'), '--replication-factor', '3'], 2, /larger than the 1 broker/],
      [['create-topic', unique('p'), '--partitions', '0'], 2, /--partitions must be between 1/],
      [['create-topic', unique('c'), '--config', 'novalue'], 2, /not a config setting/],
      [['describe-topic', unique('missing')], 7, /does not exist/],
      [['delete-topic', topic], 2, /without confirmation.*--yes/],
      [['list-topics', '--brokers', 'localhost:1'], 4, /cannot reach localhost:1: connection refused/],
      [['list-topics', '--brokers', 'not-a-broker'], 2, /not a broker address/],
      [['list-topics', '--profile', 'nosuch'], 3, /no profile named "nosuch"/],
    ];
    for (const [args, code, message] of cases) {
      const result = await kfeed(args);
      expectFailure(result, code, message, args);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
    }
    expect((await kfeed(['delete-topic', topic, '--yes'])).code).toBe(0);
  });

  it('the shared cluster is the one the suite started', async () => {
    const cluster = sharedCluster();
    const status = await kfeed(['local', 'status', '--name', cluster.name, '--json']);
    expect([status.code, status.stderr]).toEqual([0, '']);
    const view = JSON.parse(status.stdout);
    expect(view).toMatchObject({
      name: cluster.name,
      bootstrap: { tls: cluster.tlsBrokers, plaintext: cluster.plaintextBrokers },
    });
    expect(view.files).toMatchObject({ ca: cluster.ca, clientCert: cluster.adminCert, clientKey: cluster.adminKey });
  });

  it('--grant-brokers grants Read on the topic and nothing else, and delete-topic removes it', async () => {
    const topic = unique('granted');
    const broker = 'User:CN=*.feed.example.com';
    const created = await kfeed(['create-topic', topic, '--grant-brokers', broker, '--json']);
    expect(created.code).toBe(0);
    const aclsOf = async () =>
      (
        JSON.parse((await kfeed(['acl', 'list', '--json'])).stdout) as Array<{
          principal: string;
          operation: string;
          resourceType: string;
          resourceName: string;
        }>
      )
        .filter((a) => a.principal === broker && (a.resourceName === topic || a.resourceType === 'GROUP'))
        .map((a) => `${a.resourceType} ${a.resourceName} ${a.operation}`);
    expect(
      JSON.parse(created.stdout).grants.map(
        (g: { resourceType: string; operation: string }) => `${g.resourceType} ${g.operation}`,
      ),
    ).toEqual(['TOPIC READ']);
    expect(await aclsOf()).toEqual([`TOPIC ${topic} READ`]);
    const deleted = await kfeed(['delete-topic', topic, '--yes', '--json']);
    expect(JSON.parse(deleted.stdout).aclsRemoved).toHaveLength(1);
    expect(await aclsOf()).toEqual([]);
  });

  it("--grant-brokers checks the principal before creating, and never takes it from another cluster's profile", async () => {
    // Brokers named by a flag: the default profile's broker principal belongs to its own cluster.
    const topic = unique('nogrant');
    const cluster = sharedCluster();
    const failed = await kfeed(['create-topic', topic, '--grant-brokers', '--brokers', cluster.tlsBrokers[0]]);
    expectFailure(failed, 2, /cannot derive the brokers' principal from localhost — nothing was created; pass it/);
    const listed = JSON.parse((await kfeed(['list-topics', '--json', '--no-acls'])).stdout).topics.map(
      (t: { name: string }) => t.name,
    );
    expect(listed).not.toContain(topic);
  });

  it('a No at the confirmation prompt is "cancelled" (exit 12) and deletes nothing', async () => {
    requireTool('python3', 'apt-get install python3-pexpect');
    const topic = unique('kept');
    expect((await kfeed(['create-topic', topic])).code).toBe(0);
    const script = [
      'import json, os, sys, pexpect',
      'env = dict(os.environ); env.pop("CI", None)',
      'child = pexpect.spawn(sys.argv[1], sys.argv[2:], env=env, encoding="utf-8", timeout=60)',
      'child.expect("Delete topic")',
      'child.send("n\\r")',
      'child.expect(pexpect.EOF)',
      'out = child.before',
      'child.close()',
      'print(json.dumps({"status": child.exitstatus, "output": out}))',
    ].join('\n');
    const run = spawnSync('python3', ['-c', script, process.execPath, BIN, 'delete-topic', topic], {
      env: testEnv(),
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const result = JSON.parse(run.stdout) as { status: number; output: string };
    expect(result.status).toBe(12);
    expect(result.output).toMatch(/kfeed: cancelled: topic .* was not deleted/);
    const listed = JSON.parse((await kfeed(['list-topics', '--json', '--no-acls'])).stdout).topics.map(
      (t: { name: string }) => t.name,
    );
    expect(listed).toContain(topic);
    expect((await kfeed(['delete-topic', topic, '--yes'])).code).toBe(0);
  });
});
