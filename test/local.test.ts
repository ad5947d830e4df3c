import { describe, expect, it } from 'vitest';
import { DEFAULT_KRAFT_KAFKA_VERSION } from '../src/local/versions.js';
import { sharedCluster } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { kfeed } from './helpers/run.js';

/** The suite's KRaft cluster serves over mTLS (ZooKeeper mode: local.zookeeper.test.ts). */
describe('kfeed local', () => {
  it('the suite KRaft cluster reports its status and logs', async () => {
    const cluster = sharedCluster();
    const status = await kfeed(['local', 'status', '--name', cluster.name, '--json']);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout);
    // The release this pass of the suite asked for (npm test runs 4.1.x, then 3.9.x), else the default.
    const version = process.env.KFEED_TEST_KAFKA_VERSION || DEFAULT_KRAFT_KAFKA_VERSION;
    expect(view).toMatchObject({ name: cluster.name, mode: 'kraft', running: true, requireAcls: true, kafkaVersion: version });
    expect(view.brokers).toHaveLength(1);
    const logs = await kfeed(['local', 'logs', '--name', cluster.name, '--lines', '1000000']);
    expect(logs.code).toBe(0);
    expect(logs.stdout).toMatch(/\[KafkaRaftServer nodeId=1\] Kafka Server started/);
    const tail = await kfeed(['local', 'logs', '--name', cluster.name, '-n', '5']);
    expect(tail.stdout.trimEnd().split('\n')).toHaveLength(5);
    const human = await kfeed(['local', 'status', '--name', cluster.name]);
    expect(human.stdout).toMatch(/broker 1\s+running/);
    expect(human.stdout).toContain(`(kraft, Kafka ${version}, ACLs required)`);
    const all = await kfeed(['local', 'status', '--all']);
    expect(all.stdout).toMatch(/^NAME\s+MODE\s+VERSION\s+BROKERS/);
    expect(all.stdout).toMatch(new RegExp(`^${cluster.name}\\s+kraft\\s+${version.replace(/\./g, '\\.')}\\s+1\\s+running`, 'm'));
    const allJson = JSON.parse((await kfeed(['local', 'status', '--all', '--json'])).stdout) as Array<{ name: string; kafkaVersion: string }>;
    expect(allJson.find((c) => c.name === cluster.name)?.kafkaVersion).toBe(version);
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

  it('says what to install when Java is missing, and writes nothing', async () => {
    const result = await kfeed(['local', 'up', '--name', 'nojava'], { env: { PATH: '/nonexistent', JAVA_HOME: undefined } });
    expect(result.code).toBe(9);
    expect(result.stderr).toMatch(/Java is needed.*install a JDK/);
    expect((await kfeed(['local', 'status', '--name', 'nojava'])).code).toBe(7);
  });

  it('rejects a bad cluster name', async () => {
    const result = await kfeed(['local', 'up', '--name', '../escape']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/not a valid cluster name/);
  });
});
