import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedCluster, suiteKafkaVersion } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { kfeed } from './helpers/run.js';

// ZooKeeper mode exists up to Kafka 3.9: this file runs in the 3.9 pass of the suite only.
describe('kfeed local --mode zookeeper', () => {
  const zk = 'zk3-local-test';
  const version = suiteKafkaVersion();

  afterAll(async () => {
    await kfeed(['local', 'down', '--name', zk]);
  });

  it('a three-broker ZooKeeper-mode cluster comes up, serves and goes down', async () => {
    const up = await kfeed(['local', 'up', '--name', zk, '--mode', 'zookeeper', '--brokers', '3', '--kafka-version', version, '--no-profile', '--json']);
    expect(up.stderr).not.toMatch(/kfeed:/);
    expect(up.code).toBe(0);
    const view = JSON.parse(up.stdout);
    expect(view).toMatchObject({ mode: 'zookeeper', running: true, kafkaVersion: version });
    expect(view.brokers).toHaveLength(3);
    expect(view.zookeeper.running).toBe(true);
    // Ports are chosen free: nothing collides with the suite cluster running beside it.
    const suitePorts = JSON.parse((await kfeed(['local', 'status', '--name', sharedCluster().name, '--json'])).stdout).bootstrap.tls as string[];
    expect(view.bootstrap.tls.filter((b: string) => suitePorts.includes(b))).toEqual([]);

    const conn = ['--brokers', view.bootstrap.tls.join(','), '--ca', view.files.ca, '--cert', view.files.clientCert, '--key', view.files.clientKey];
    const topic = 'replicated';
    const created = await kfeed(['create-topic', topic, '--partitions', '3', ...conn, '--json']);
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout).replicationFactor).toBe(3);
    const describe = await kfeed(['describe-topic', topic, ...conn, '--json']);
    expect(describe.stderr).toBe('');
    const described = JSON.parse(describe.stdout);
    expect(described.partitions.map((p: { isr: number[] }) => [...p.isr].sort())).toEqual([
      [1, 2, 3],
      [1, 2, 3],
      [1, 2, 3],
    ]);
    const tls = { ca: view.files.ca, cert: view.files.clientCert, key: view.files.clientKey };
    const lines = Array.from({ length: 30 }, (_, i) => `sym${i % 5}:price-${i}`).join('\n') + '\n';
    expect((await kcat(view.bootstrap.tls, tls, ['-P', '-t', topic, '-K', ':'], { stdin: lines })).code).toBe(0);
    const read = await kcat(view.bootstrap.tls, tls, ['-C', '-t', topic, '-o', 'beginning', '-e', '-q']);
    expect(read.code).toBe(0);
    expect(read.stdout.trim().split('\n').sort()).toEqual(Array.from({ length: 30 }, (_, i) => `price-${i}`).sort());

    const again = await kfeed(['local', 'up', '--name', zk, '--mode', 'zookeeper', '--brokers', '3', '--no-profile']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already running/);
    const clash = await kfeed(['local', 'up', '--name', zk]);
    expect(clash.code).toBe(8);
    expect(clash.stderr).toMatch(new RegExp(`already running as zookeeper, 3 brokers, Kafka ${version.replace(/\./g, '\\.')}`));

    const down = await kfeed(['local', 'down', '--name', zk]);
    expect(down.code).toBe(0);
    expect(fs.existsSync(view.files.ca)).toBe(false);
    for (const broker of view.brokers as Array<{ pid: number }>) expect(() => process.kill(broker.pid, 0)).toThrow();
    const gone = await kfeed(['local', 'status', '--name', zk]);
    expect(gone.code).toBe(7);
    expect(gone.stderr).toMatch(/no local cluster named "zk3-local-test"/);
  });
});
