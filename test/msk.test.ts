import fs from 'node:fs';
import path from 'node:path';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/env.js';
import { startMskServer, type FakeCluster, type MskServer } from './helpers/msk-server.js';
import { kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';

const work = tempDir('kfeed-msk-');
/** A config folder of this file's own, so saved profiles never touch the suite's. */
const configHome = path.join(work, 'config');

function oneLine(stderr: string) {
  expect(stderr.trim().split('\n')).toHaveLength(1);
  expect(stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
}

describe('msk discover and update-listeners --msk against the local MSK API server', () => {
  let msk: MskServer;
  let zk: FakeCluster;
  let kraft: FakeCluster;
  const run = (args: string[]) => kfeed(args, { env: { ...msk.env, XDG_CONFIG_HOME: configHome }, cwd: work });

  beforeAll(async () => {
    msk = await startMskServer({ pollsPerOperation: 3, pageSize: 2 });
    zk = msk.addCluster({ name: 'feed', kafkaVersion: '3.6.0', zookeeper: true, brokers: 3 });
    kraft = msk.addCluster({ name: 'feed-kraft', kafkaVersion: '3.7.x.kraft', zookeeper: false, brokers: 3 });
  });
  afterAll(async () => {
    await msk.close();
  });

  it('discovers a cluster by name: state, version, mode, brokers by id, bootstrap strings', async () => {
    const result = await run(['msk', 'discover', '--cluster-name', 'feed', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const found = JSON.parse(result.stdout);
    expect(found.cluster).toMatchObject({
      arn: zk.arn,
      name: 'feed',
      state: 'ACTIVE',
      kafkaVersion: '3.6.0',
      mode: 'zookeeper',
      brokerCount: 3,
      auth: { tls: true, iam: false },
    });
    // ListNodes answered in two pages and not in id order; kfeed lists by broker id.
    expect(found.brokers.map((b: { brokerId: number }) => b.brokerId)).toEqual([1, 2, 3]);
    expect(found.brokers[0].endpoints[0]).toMatch(/^b-1\.feed\./);
    expect(found.bootstrap.tls).toBe(zk.brokers.map((b) => `${b.host}:9094`).join(','));
    expect(msk.calls).toContain(`GET /v1/clusters/${encodeURIComponent(zk.arn)}/nodes`);

    const human = await run(['msk', 'discover', '--cluster-arn', kraft.arn]);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/kafka\s+3\.7\.x\.kraft \(KRaft\)/);
    expect(human.stdout).toMatch(/BROKER\s+ENDPOINTS\s+VPC IP\s+SUBNET/);
  });

  it('prints export lines and saves a profile', async () => {
    const exported = await run(['msk', 'discover', '--cluster-name', 'feed', '--export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`export TLSBROKERS='b-3.`);
    expect(exported.stdout).toContain(`export KFEED_MSK_CLUSTER_ARN='${zk.arn}'`);

    const saved = await run([
      'msk',
      'discover',
      '--cluster-name',
      'feed',
      '--save-profile',
      'feed-msk',
      '--cert',
      '/certs/client_cert.pem',
      '--key',
      '/certs/private_key.pem',
    ]);
    expect(saved.code).toBe(0);
    const profiles = JSON.parse(fs.readFileSync(path.join(configHome, 'kfeed', 'profiles.json'), 'utf8'));
    expect(profiles.profiles['feed-msk']).toMatchObject({
      security: 'ssl',
      cert: '/certs/client_cert.pem',
      key: '/certs/private_key.pem',
      meta: { mskClusterArn: zk.arn, mskClusterName: 'feed', region: 'us-east-1', metadataMode: 'zookeeper' },
    });
    expect(profiles.profiles['feed-msk'].brokers).toHaveLength(3);
  });

  it('refuses a cluster that is not ACTIVE, an unknown name, an unknown ARN, one line each', async () => {
    const creating = msk.addCluster({
      name: 'feed-new',
      kafkaVersion: '3.6.0',
      zookeeper: true,
      brokers: 3,
      state: 'CREATING',
    });
    msk.addCluster({ name: 'twice', kafkaVersion: '3.6.0', zookeeper: true, brokers: 3 });
    msk.addCluster({ name: 'twice', kafkaVersion: '3.6.0', zookeeper: true, brokers: 3 });
    const cases: Array<[string[], number, RegExp]> = [
      [['--cluster-name', 'feed-new'], 8, /MSK cluster feed-new is CREATING, not ACTIVE/],
      [['--cluster-name', 'nosuch'], 7, /no MSK cluster named "nosuch"/],
      [['--cluster-name', 'fee'], 7, /no MSK cluster named "fee".*similar names: feed, feed-kraft/],
      [['--cluster-name', 'twice'], 8, /2 MSK clusters are named "twice" — pass --cluster-arn/],
      [
        ['--cluster-arn', creating.arn.replace('feed-new', 'gone')],
        7,
        /describing cluster .* failed: The specified cluster ARN .* doesn't exist/,
      ],
    ];
    for (const [args, code, message] of cases) {
      const result = await run(['msk', 'discover', ...args]);
      expectFailure(result, code, message, args);
      oneLine(result.stderr);
    }
  });

  it('finds the cluster from the saved profile, and says so when nothing names one', async () => {
    const fromProfile = await run(['msk', 'discover', '--json']);
    expect(fromProfile.code).toBe(0);
    expect(JSON.parse(fromProfile.stdout).cluster.arn).toBe(zk.arn);
    const nothing = await kfeed(['msk', 'discover'], {
      env: { ...msk.env, XDG_CONFIG_HOME: path.join(work, 'empty-config') },
      cwd: work,
    });
    expectFailure(nothing, 2, /no MSK cluster given — pass --cluster-arn or --cluster-name/);
    oneLine(nothing.stderr);
  });

  it('update-listeners --msk dry run and --print-nlb change nothing and map ports by broker id', async () => {
    const before = msk.calls.length;
    const dry = await run(['update-listeners', '--msk', '--cluster-arn', kraft.arn]);
    expect(dry.code).toBe(0);
    const domain = kraft.brokers[0].host.split('.').slice(1).join('.');
    expect(dry.stdout).toContain('before: (unset)');
    expect(dry.stdout).toContain(`after:  CLIENT_SECURE://b-{broker_id}-tls.${domain}:8440+{broker_id}`);
    expect(dry.stderr).toMatch(/dry run: nothing was changed/);

    const nlb = await run(['update-listeners', '--msk', '--cluster-arn', kraft.arn, '--print-nlb', '--json']);
    expect(nlb.code).toBe(0);
    const byId = new Map(kraft.brokers.map((b) => [b.id, b]));
    expect(JSON.parse(nlb.stdout)).toEqual(
      [1, 2, 3].map((id) => ({
        nlbPort: 8440 + id,
        brokerId: id,
        advertised: `b-${id}-tls.${domain}:${8440 + id}`,
        target: `${byId.get(id)!.vpcIp}:9094`,
      })),
    );
    const made = msk.calls.slice(before);
    expect(made.filter((c) => !c.startsWith('GET '))).toEqual([]);
    expect(msk.configurations.size).toBe(0);
    expect(fs.readdirSync(work).filter((f) => f.endsWith('.json'))).toEqual([]);
  });

  it('update-listeners --msk --apply creates a configuration, applies it, waits for the operation; --revert undoes it', async () => {
    const planFile = path.join(work, 'kraft-plan.json');
    const applied = await run([
      'update-listeners',
      '--msk',
      '--cluster-name',
      'feed-kraft',
      '--apply',
      '--plan-file',
      planFile,
      '--poll-interval',
      '1',
    ]);
    expect(applied.stderr).toMatch(/UPDATE_IN_PROGRESS/);
    expect(applied.stderr).toMatch(/configuration revision 1 applied to feed-kraft/);
    expect(applied.code).toBe(0);
    expect(kraft.state).toBe('ACTIVE');
    expect(kraft.configuration?.revision).toBe(1);
    const configuration = msk.configurations.get(kraft.configuration!.arn)!;
    expect(configuration.name).toBe('kfeed-feed-kraft');
    expect(configuration.kafkaVersions).toEqual(['3.7.x.kraft']);
    const domain = kraft.brokers[0].host.split('.').slice(1).join('.');
    expect(configuration.revisions[0].serverProperties).toBe(
      `custom.advertised.listeners=CLIENT_SECURE://b-{broker_id}-tls.${domain}:8440+{broker_id}\n`,
    );
    expect(JSON.parse(fs.readFileSync(planFile, 'utf8'))).toMatchObject({
      kind: 'kfeed-msk-listener-plan',
      clusterArn: kraft.arn,
      written: { revision: 1 },
    });

    // The cluster had no configuration before: the revert writes a revision without the property.
    const reverted = await run(['update-listeners', '--revert', planFile, '--poll-interval', '1']);
    expect(reverted.code).toBe(0);
    expect(kraft.configuration?.revision).toBe(2);
    expect(configuration.revisions[1].serverProperties).not.toContain('custom.advertised.listeners');
  });

  it('adds the property to the configuration a cluster already runs, and --revert re-applies the old revision', async () => {
    const create = await new KafkaClient({
      endpoint: msk.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
    });
    const { CreateConfigurationCommand } = await import('@aws-sdk/client-kafka');
    const existing = await create.send(
      new CreateConfigurationCommand({
        Name: 'house',
        ServerProperties: new TextEncoder().encode('auto.create.topics.enable=false\nlog.retention.hours=48\n'),
      }),
    );
    create.destroy();
    zk.configuration = { arn: existing.Arn!, revision: 1 };
    const planFile = path.join(work, 'zk-plan.json');
    const applied = await run([
      'update-listeners',
      '--msk',
      '--cluster-arn',
      zk.arn,
      '--host-template',
      'b-{id}.feed.example.com',
      '--port-base',
      '9000',
      '--apply',
      '--plan-file',
      planFile,
      '--poll-interval',
      '1',
      '--json',
    ]);
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toMatchObject({
      applied: true,
      property: 'CLIENT_SECURE://b-{broker_id}.feed.example.com:9000+{broker_id}',
      operation: { state: 'UPDATE_COMPLETE' },
    });
    const house = msk.configurations.get(existing.Arn!)!;
    expect(house.revisions[1].serverProperties).toBe(
      'auto.create.topics.enable=false\nlog.retention.hours=48\ncustom.advertised.listeners=CLIENT_SECURE://b-{broker_id}.feed.example.com:9000+{broker_id}\n',
    );
    expect(zk.configuration).toEqual({ arn: existing.Arn, revision: 2 });

    const reverted = await run(['update-listeners', '--revert', planFile, '--poll-interval', '1']);
    expect(reverted.code).toBe(0);
    expect(zk.configuration).toEqual({ arn: existing.Arn, revision: 1 });
  });

  it('refuses a listener MSK does not re-advertise, in one line', async () => {
    const result = await run([
      'update-listeners',
      '--msk',
      '--cluster-arn',
      kraft.arn,
      '--listener-name',
      'CLIENT_SECURE_VPCE',
    ]);
    expectFailure(result, 2, /only re-advertises its client listeners, not CLIENT_SECURE_VPCE/);
    oneLine(result.stderr);
  });
});

describe('msk discover without AWS credentials', () => {
  it('says so in one line', async () => {
    const msk = await startMskServer();
    try {
      const result = await kfeed(['msk', 'discover', '--cluster-name', 'feed'], {
        env: {
          AWS_ENDPOINT_URL: msk.endpoint,
          AWS_REGION: 'us-east-1',
          AWS_ACCESS_KEY_ID: undefined,
          AWS_SECRET_ACCESS_KEY: undefined,
          AWS_PROFILE: undefined,
        },
        cwd: work,
      });
      expectFailure(result, 3, /listing MSK clusters failed: no AWS credentials found — set AWS_PROFILE/);
      oneLine(result.stderr);
      expect(msk.calls).toEqual([]); // nothing unsigned went out
    } finally {
      await msk.close();
    }
  });
});

describe('update-listeners --msk waiting for the rolling restart', () => {
  it('Ctrl-C ends the wait at once (exit 130), says the operation keeps running, and leaves the plan file', async () => {
    // An operation that would take 1000 polls: only the signal can end this wait in time.
    const msk = await startMskServer({ pollsPerOperation: 1000 });
    try {
      const cluster = msk.addCluster({ name: 'slow', kafkaVersion: '3.7.x.kraft', zookeeper: false, brokers: 3 });
      const planFile = path.join(work, 'slow-plan.json');
      const started = Date.now();
      const result = await kfeed(
        [
          'update-listeners',
          '--msk',
          '--cluster-name',
          'slow',
          '--apply',
          '--plan-file',
          planFile,
          '--poll-interval',
          '30',
        ],
        {
          env: { ...msk.env, XDG_CONFIG_HOME: configHome },
          cwd: work,
          abortAfterMs: 2500,
        },
      );
      const elapsed = Date.now() - started;
      expect(result.code).toBe(130);
      expect(elapsed).toBeLessThan(7000); // one poll, then a 30 s pause that the signal cuts short
      const errors = result.stderr.split('\n').filter((line) => line.startsWith('kfeed:'));
      expect(errors).toEqual([
        expect.stringMatching(
          /^kfeed: stopped waiting for the MSK cluster operation \(it keeps running\) — follow it with aws kafka describe-cluster-operation-v2 --cluster-operation-arn arn:aws:kafka:/,
        ),
      ]);
      expect(result.stderr).not.toMatch(/\bat .*\.(ts|js):\d+/);
      expect(msk.calls.filter((c) => c.includes('/operations/'))).toHaveLength(1);
      expect(cluster.state).toBe('UPDATING');
      expect(JSON.parse(fs.readFileSync(planFile, 'utf8'))).toMatchObject({
        kind: 'kfeed-msk-listener-plan',
        written: { revision: 1 },
      });
    } finally {
      await msk.close();
    }
  });
});
