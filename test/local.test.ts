import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_KRAFT_KAFKA_VERSION } from '../src/local/versions.js';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { interruptAtStage, processesWith } from './helpers/processes.js';
import { kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';

/** The suite's KRaft cluster serves over mTLS (ZooKeeper mode: local.zookeeper.test.ts). */
describe('kfeed local', () => {
  it('the suite KRaft cluster reports its status and logs', async () => {
    const cluster = sharedCluster();
    const status = await kfeed(['local', 'status', '--name', cluster.name, '--json']);
    expect(status.code).toBe(0);
    const view = JSON.parse(status.stdout);
    // The release this pass of the suite asked for (npm test runs 4.1.x, then 3.9.x), else the default.
    const version = process.env.KFEED_TEST_KAFKA_VERSION || DEFAULT_KRAFT_KAFKA_VERSION;
    expect(view).toMatchObject({
      name: cluster.name,
      mode: 'kraft',
      running: true,
      requireAcls: true,
      kafkaVersion: version,
    });
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
    expect(all.stdout).toMatch(
      new RegExp(`^${cluster.name}\\s+kraft\\s+${version.replace(/\./g, '\\.')}\\s+1\\s+running`, 'm'),
    );
    const allJson = JSON.parse((await kfeed(['local', 'status', '--all', '--json'])).stdout) as Array<{
      name: string;
      kafkaVersion: string;
    }>;
    expect(allJson.find((c) => c.name === cluster.name)?.kafkaVersion).toBe(version);
  });

  it("local up keeps another cluster's default profile (and says how to switch) unless --default", async () => {
    const cluster = sharedCluster();
    // A config folder of its own whose default profile is another cluster's; `up` on the running
    // suite cluster (the same shape) writes its profile there without starting anything.
    const env = { XDG_CONFIG_HOME: tempDir('kfeed-up-default-') };
    const other = [
      'profile',
      'add',
      'prod',
      '--brokers',
      'b-1.example.kafka.us-east-1.amazonaws.com:9094',
      '--default',
    ];
    expect((await kfeed([...other, '--security', 'plaintext'], { env })).code).toBe(0);
    const up = ['local', 'up', '--name', cluster.name, '--require-acls', '--kafka-version', cluster.kafkaVersion];
    const defaultOf = async () =>
      (
        JSON.parse((await kfeed(['profile', 'list', '--json'], { env })).stdout) as Array<{
          name: string;
          isDefault: boolean;
        }>
      )
        .filter((p) => p.isDefault)
        .map((p) => p.name);

    const kept = await kfeed(up, { env });
    expect(kept.code, kept.stderr).toBe(0);
    expect(kept.stderr).toContain(
      `profile "${cluster.name}" written; the default profile stays "prod": pass --profile ${cluster.name}, or switch with \`kfeed profile use ${cluster.name}\``,
    );
    expect(await defaultOf()).toEqual(['prod']);
    expect((await kfeed(['profile', 'show', cluster.name, '--json'], { env })).code).toBe(0);

    // A default that is one only by being the only profile is kept as well.
    const onlyEnv = { XDG_CONFIG_HOME: tempDir('kfeed-up-only-') };
    expect((await kfeed([...other, '--security', 'plaintext'], { env: onlyEnv })).code).toBe(0);
    const onlyFile = path.join(onlyEnv.XDG_CONFIG_HOME, 'kfeed', 'profiles.json');
    const { profiles } = JSON.parse(fs.readFileSync(onlyFile, 'utf8')) as { profiles: object };
    fs.writeFileSync(onlyFile, JSON.stringify({ profiles }));
    const keptOnly = await kfeed(up, { env: onlyEnv });
    expect(keptOnly.code, keptOnly.stderr).toBe(0);
    expect(keptOnly.stderr).toContain(`the default profile stays "prod"`);

    const chosen = await kfeed([...up, '--default'], { env });
    expect(chosen.code, chosen.stderr).toBe(0);
    expect(chosen.stderr).toContain(`profile "${cluster.name}" written and selected`);
    expect(await defaultOf()).toEqual([cluster.name]);
    // Once it is the default, a plain `up` keeps it so.
    expect((await kfeed(up, { env })).stderr).toContain('written and selected');
    expectFailure(
      await kfeed([...up, '--default', '--no-profile'], { env }),
      2,
      /--default and --no-profile exclude each other/,
    );
  });

  it('kcat sees over mTLS the topics kfeed created', async () => {
    const cluster = sharedCluster();
    const topic = `kcat-sees-${Date.now().toString(36)}`;
    expect((await kfeed(['create-topic', topic, '--partitions', '4'])).code).toBe(0);
    const metadata = await kcat(
      cluster.tlsBrokers,
      { ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey },
      ['-L', '-J', '-t', topic],
    );
    expect(metadata.code).toBe(0);
    const parsed = JSON.parse(metadata.stdout) as { topics: Array<{ topic: string; partitions: unknown[] }> };
    expect(parsed.topics.map((t) => [t.topic, t.partitions.length])).toEqual([[topic, 4]]);
  });

  it('says what to install when Java is missing, and writes nothing', async () => {
    const result = await kfeed(['local', 'up', '--name', 'nojava'], {
      env: { PATH: '/nonexistent', JAVA_HOME: undefined },
    });
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
  ] as const)(
    '%s during %s',
    async (signal, _stage, line, code, extra) => {
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
    },
    240_000,
  );

  it('SIGTERM while Maven fetches the jars kills Maven and leaves no partial download', async () => {
    const name = unique('intr-jars');
    const cache = tempDir('kfeed-cold-cache-');
    const run = await interruptAtStage(
      ['local', 'up', '--name', name, '--no-profile'],
      /fetching Apache Kafka .* jars/,
      'SIGTERM',
      {
        env: { XDG_CACHE_HOME: cache },
      },
    );
    expect(run.signalled, run.stderr).toBe(true);
    expect(run.code, run.stderr).toBe(143);
    expect(run.msAfterSignal).toBeLessThan(10_000);
    expect(processesWith(cache)).toEqual([]);
    const left = fs.existsSync(path.join(cache, 'kfeed'))
      ? fs.readdirSync(path.join(cache, 'kfeed'), { recursive: true })
      : [];
    expect(left.filter((entry) => String(entry).includes('partial'))).toEqual([]);
    expect(fs.existsSync(clusterFolder(name))).toBe(false);
    fs.rmSync(cache, { recursive: true, force: true });
  }, 240_000);
});
