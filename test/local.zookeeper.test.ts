import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expectFailure } from './helpers/assert.js';
import { sharedCluster, suiteKafkaVersion, tempDir } from './helpers/env.js';
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
    // A config folder of its own: the cluster's profile is written there, not over the suite's default.
    const config = tempDir('kfeed-zk-config-');
    const up = await kfeed(
      ['local', 'up', '--name', zk, '--mode', 'zookeeper', '--broker-count', '3', '--kafka-version', version, '--json'],
      { env: { XDG_CONFIG_HOME: config } },
    );
    expect(up.stderr).not.toMatch(/kfeed:/);
    expect(up.code).toBe(0);
    const view = JSON.parse(up.stdout);
    expect(view).toMatchObject({ mode: 'zookeeper', running: true, kafkaVersion: version });
    expect(view.brokers).toHaveLength(3);
    expect(view.zookeeper.running).toBe(true);
    // Ports are chosen free: nothing collides with the suite cluster running beside it.
    const suitePorts = JSON.parse((await kfeed(['local', 'status', '--name', sharedCluster().name, '--json'])).stdout)
      .bootstrap.tls as string[];
    expect(view.bootstrap.tls.filter((b: string) => suitePorts.includes(b))).toEqual([]);

    const conn = [
      '--brokers',
      view.bootstrap.tls.join(','),
      '--ca',
      view.files.ca,
      '--cert',
      view.files.clientCert,
      '--key',
      view.files.clientKey,
    ];
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

    // The local cluster's profile carries what a bare `update-listeners` needs (the host its
    // brokers are reached at): with that profile selected, no flag is needed for a valid plan.
    const profile = JSON.parse(
      (await kfeed(['profile', 'show', zk, '--json'], { env: { XDG_CONFIG_HOME: config } })).stdout,
    );
    expect(profile.meta).toMatchObject({ localCluster: zk, hostTemplate: 'localhost' });
    const plan = await kfeed(['update-listeners', '--port-base', '18440', '--json'], {
      env: { XDG_CONFIG_HOME: config },
    });
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ applied: false, hostTemplate: 'localhost' });

    // --brokers is the old spelling of --broker-count, kept for scripts.
    const again = await kfeed([
      'local',
      'up',
      '--name',
      zk,
      '--mode',
      'zookeeper',
      '--brokers',
      '3',
      '--kafka-version',
      version,
      '--no-profile',
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already running/);
    const clash = await kfeed(['local', 'up', '--name', zk]);
    expect(clash.code).toBe(8);
    expect(clash.stderr).toMatch(
      new RegExp(
        `already running as zookeeper, 3 brokers, Kafka ${version.replace(/\./g, '\\.')}, not as asked \\(mode zookeeper, not kraft; 3 broker\\(s\\), not 1\\)`,
      ),
    );
    expect(clash.stderr).not.toMatch(/did not start/);
    // Asked for ACLs the running cluster does not require: the difference is named.
    const acls = await kfeed([
      'local',
      'up',
      '--name',
      zk,
      '--mode',
      'zookeeper',
      '--broker-count',
      '3',
      '--kafka-version',
      version,
      '--require-acls',
      '--no-profile',
    ]);
    expect(acls.code).toBe(8);
    expect(acls.stderr).toMatch(/not as asked \(ACLs not required \(--require-acls asked for them\)\)/);
    expect(acls.stderr).not.toMatch(/did not start/);

    const down = await kfeed(['local', 'down', '--name', zk], { env: { XDG_CONFIG_HOME: config } });
    expect(down.code).toBe(0);
    expect(
      JSON.parse((await kfeed(['profile', 'list', '--json'], { env: { XDG_CONFIG_HOME: config } })).stdout),
    ).toEqual([]);
    expect(fs.existsSync(view.files.ca)).toBe(false);
    for (const broker of view.brokers as Array<{ pid: number }>) expect(() => process.kill(broker.pid, 0)).toThrow();
    const gone = await kfeed(['local', 'status', '--name', zk]);
    expectFailure(gone, 7, /no local cluster named "zk3-local-test"/);
  });
});
