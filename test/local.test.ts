import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { interruptAtStage, processesWith } from './helpers/processes.js';
import { kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';

/** Both metadata modes come up, serve over mTLS, and go down, through `kfeed local`. */
describe('kfeed local', () => {
  const zk = 'zk3-local-test';

  afterAll(async () => {
    await kfeed(['local', 'down', '--name', zk]);
  });

  it('the suite KRaft cluster reports its status and logs', async () => {
    const cluster = sharedCluster();
    const status = await kfeed(['local', 'status', '--name', cluster.name, '--json']);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout);
    expect(view).toMatchObject({ name: cluster.name, mode: 'kraft', running: true, requireAcls: true });
    expect(view.brokers).toHaveLength(1);
    const logs = await kfeed(['local', 'logs', '--name', cluster.name, '--lines', '1000000']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\[KafkaRaftServer nodeId=1\] Kafka Server started/);
    const tail = await kfeed(['local', 'logs', '--name', cluster.name, '-n', '5']);
    expect(tail.stdout.trimEnd().split('\n')).toHaveLength(5);
    const human = await kfeed(['local', 'status', '--name', cluster.name]);
    expect(human.stdout).toMatch(/broker 1\s+running/);
  });

  it('kcat sees over mTLS the topics kfeed created', async () => {
    const cluster = sharedCluster();
    const topic = `kcat-sees-${Date.now().toString(36)}`;
    expect((await kfeed(['create-topic', topic, '--partitions', '4'])).code).toBe(0);
    const metadata = await kcat(cluster.tlsBrokers, { ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey }, ['-L', '-J', '-t', topic]);
    expect(metadata.code).toBe(0);
    const parsed = JSON.parse(metadata.stdout) as { topics: Array<{ topic: string; partitions: unknown[] }> };
    expect(parsed.topics.map((t) => [t.topic, t.partitions.length])).toEqual([[topic, 4]]);
  });

  it('a three-broker ZooKeeper-mode cluster comes up, serves and goes down', async () => {
    // A config folder of its own: the cluster's profile is written there, not over the suite's default.
    const config = tempDir('kfeed-zk-config-');
    const up = await kfeed(['local', 'up', '--name', zk, '--mode', 'zookeeper', '--broker-count', '3', '--json'], { env: { XDG_CONFIG_HOME: config } });
    expect(up.stderr).not.toMatch(/kfeed:/);
    expect(up.code).toBe(0);
    const view = JSON.parse(up.stdout);
    expect(view).toMatchObject({ mode: 'zookeeper', running: true });
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

    // The local cluster's profile carries what a bare `update-listeners` needs (the host its
    // brokers are reached at); that host template gives a valid plan on this ZooKeeper cluster.
    const profile = JSON.parse((await kfeed(['profile', 'show', zk, '--json'], { env: { XDG_CONFIG_HOME: config } })).stdout);
    expect(profile.meta).toMatchObject({ localCluster: zk, hostTemplate: 'localhost' });
    const plan = await kfeed(['update-listeners', '--profile', zk, '--host-template', profile.meta.hostTemplate, '--port-base', '18440', '--json'], {
      env: { XDG_CONFIG_HOME: config },
    });
    expect(plan.code, plan.stderr).toBe(0);
    expect(JSON.parse(plan.stdout)).toMatchObject({ applied: false, hostTemplate: 'localhost' });

    // --brokers is the old spelling of --broker-count, kept for scripts.
    const again = await kfeed(['local', 'up', '--name', zk, '--mode', 'zookeeper', '--brokers', '3', '--no-profile']);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/already running/);
    const clash = await kfeed(['local', 'up', '--name', zk]);
    expect(clash.code).toBe(8);
    expect(clash.stderr).toMatch(/already running as zookeeper, 3 brokers, not as asked \(mode zookeeper, not kraft; 3 broker\(s\), not 1\)/);
    expect(clash.stderr).not.toMatch(/did not start/);
    // Asked for ACLs the running cluster does not require: the difference is named.
    const acls = await kfeed(['local', 'up', '--name', zk, '--mode', 'zookeeper', '--broker-count', '3', '--require-acls', '--no-profile']);
    expect(acls.code).toBe(8);
    expect(acls.stderr).toMatch(/not as asked \(ACLs not required \(--require-acls asked for them\)\)/);
    expect(acls.stderr).not.toMatch(/did not start/);

    const down = await kfeed(['local', 'down', '--name', zk], { env: { XDG_CONFIG_HOME: config } });
    expect(down.code).toBe(0);
    expect(JSON.parse((await kfeed(['profile', 'list', '--json'], { env: { XDG_CONFIG_HOME: config } })).stdout)).toEqual([]);
    expect(fs.existsSync(view.files.ca)).toBe(false);
    for (const broker of view.brokers as Array<{ pid: number }>) expect(() => process.kill(broker.pid, 0)).toThrow();
    const gone = await kfeed(['local', 'status', '--name', zk]);
    expectFailure(gone, 7, /no local cluster named "zk3-local-test"/);
  });

  it('says what to install when Java is missing, and writes nothing', async () => {
    const result = await kfeed(['local', 'up', '--name', 'nojava'], { env: { PATH: '/nonexistent', JAVA_HOME: undefined } });
    expectFailure(result, 9, /Java is needed.*install a JDK/);
    expect((await kfeed(['local', 'status', '--name', 'nojava'])).code).toBe(7);
    expect(fs.existsSync(path.join(process.env.XDG_DATA_HOME!, 'kfeed', 'clusters', 'nojava'))).toBe(false);
  });

  it('rejects a bad cluster name', async () => {
    const result = await kfeed(['local', 'up', '--name', '../escape']);
    expectFailure(result, 2, /not a valid cluster name/);
  });
});

/**
 * The first SIGINT / SIGTERM at any stage of `local up` stops what it started, removes the
 * half-made cluster, and ends the command with 130 / 143 within seconds (seen from outside:
 * the exit code, the processes in /proc, the folder).
 */
describe('interrupting kfeed local up', () => {
  const clusterFolder = (name: string) => path.join(process.env.XDG_DATA_HOME!, 'kfeed', 'clusters', name);
  const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}`;

  it.each([
    ['SIGINT', 'the readiness wait', /waiting for the brokers to serve/, 130, ['--require-acls']],
    ['SIGINT', 'the storage format', /formatting KRaft storage/, 130, []],
    ['SIGTERM', 'the ZooKeeper start', /starting ZooKeeper/, 143, ['--mode', 'zookeeper']],
  ] as const)('%s during %s', async (signal, _stage, line, code, extra) => {
    const name = unique('intr');
    try {
      const run = await interruptAtStage(['local', 'up', '--name', name, '--no-profile', ...extra], line, signal);
      expect(run.signalled, run.stderr).toBe(true);
      expect(run.code, run.stderr).toBe(code);
      expect(run.msAfterSignal).toBeLessThan(10_000);
      expect(run.stderr).toContain(`stopped: local cluster ${name} was not started; nothing of it is left`);
      expect(run.stderr).not.toMatch(/ is up/);
      expect(processesWith(`clusters/${name}/`)).toEqual([]);
      expect(fs.existsSync(clusterFolder(name))).toBe(false);
      expect((await kfeed(['local', 'status', '--name', name])).code).toBe(7);
    } finally {
      await kfeed(['local', 'down', '--name', name]);
    }
  }, 240_000);

  it('SIGTERM while Maven fetches the jars kills Maven and leaves no partial download', async () => {
    const name = unique('intr-jars');
    const cache = tempDir('kfeed-cold-cache-');
    const run = await interruptAtStage(['local', 'up', '--name', name, '--no-profile'], /fetching Apache Kafka .* jars/, 'SIGTERM', {
      env: { XDG_CACHE_HOME: cache },
    });
    expect(run.signalled, run.stderr).toBe(true);
    expect(run.code, run.stderr).toBe(143);
    expect(run.msAfterSignal).toBeLessThan(10_000);
    expect(processesWith(cache)).toEqual([]);
    const left = fs.existsSync(path.join(cache, 'kfeed')) ? fs.readdirSync(path.join(cache, 'kfeed'), { recursive: true }) : [];
    expect(left.filter((entry) => String(entry).includes('partial'))).toEqual([]);
    expect(fs.existsSync(clusterFolder(name))).toBe(false);
    fs.rmSync(cache, { recursive: true, force: true });
  }, 240_000);
});
