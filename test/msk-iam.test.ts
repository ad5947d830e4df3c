import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure } from './helpers/assert.js';
import { tempDir } from './helpers/env.js';
import { startMskServer, type FakeCluster, type MskServer } from './helpers/msk-server.js';
import { kfeed } from './helpers/run.js';

/** An IAM-only MSK cluster: discover picks its 9098 bootstrap string and saves an IAM profile. */
describe('msk discover on an IAM-only cluster (local MSK API server)', () => {
  const work = tempDir('kfeed-msk-iam-');
  const configHome = path.join(work, 'config');
  let msk: MskServer;
  let cluster: FakeCluster;
  const run = (args: string[]) => kfeed(args, { env: { ...msk.env, XDG_CONFIG_HOME: configHome }, cwd: work });

  beforeAll(async () => {
    msk = await startMskServer({ pollsPerOperation: 1 });
    cluster = msk.addCluster({ name: 'feed-iam', kafkaVersion: '3.9.x', zookeeper: false, brokers: 3 });
    cluster.auth = { tls: false, scram: false, iam: true };
  });
  afterAll(async () => {
    await msk.close();
  });

  it('saves a profile with the IAM bootstrap string, --auth iam and the cluster region', async () => {
    const saved = await run(['msk', 'discover', '--cluster-name', 'feed-iam', '--save-profile', 'feed-iam', '--json']);
    expect(saved.stderr).toBe('');
    expect(saved.code).toBe(0);
    const profiles = JSON.parse(fs.readFileSync(path.join(configHome, 'kfeed', 'profiles.json'), 'utf8'));
    const region = cluster.arn.split(':')[3];
    expect(profiles.profiles['feed-iam']).toMatchObject({ security: 'sasl_ssl', auth: 'iam', region });
    expect([...profiles.profiles['feed-iam'].brokers].sort()).toEqual(
      cluster.brokers.map((b) => `${b.host}:9098`).sort(),
    );
    expect(profiles.profiles['feed-iam'].cert).toBeUndefined();

    // profile show --resolved names where the credentials come from, never the secret.
    const secret = 'wJalrXUtnFEMI-not-to-be-printed';
    const env = { ...msk.env, AWS_SECRET_ACCESS_KEY: secret, XDG_CONFIG_HOME: configHome };
    const shown = await kfeed(['profile', 'show', '--resolved', '--profile', 'feed-iam'], { env, cwd: work });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(/^auth {7}iam/m);
    expect(shown.stdout).toMatch(new RegExp(`^region {5}${region}`, 'm'));
    expect(shown.stdout).toMatch(/^credentials .*AWS_ACCESS_KEY_ID/m);
    expect(shown.stdout + shown.stderr).not.toContain(secret);
    const asJson = await kfeed(['profile', 'show', '--resolved', '--profile', 'feed-iam', '--json'], {
      env,
      cwd: work,
    });
    expect(JSON.parse(asJson.stdout).iam).toMatchObject({ region });
    expect(asJson.stdout + asJson.stderr).not.toContain(secret);
  });

  it('--export names the auth and region; asking for what the cluster lacks is one line', async () => {
    const exported = await run(['msk', 'discover', '--cluster-name', 'feed-iam', '--export']);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toContain(`export TLSBROKERS='b-`);
    expect(exported.stdout).toContain(':9098');
    expect(exported.stdout).toContain(`export KFEED_AUTH='iam'`);
    expect(exported.stdout).toContain(`export AWS_REGION='${cluster.arn.split(':')[3]}'`);
    expectFailure(
      await run(['msk', 'discover', '--cluster-name', 'feed-iam', '--export', '--auth', 'tls']),
      3,
      /the cluster has no tls bootstrap string — enable a client authentication mode/,
    );
    expectFailure(
      await run(['msk', 'discover', '--cluster-name', 'feed-iam', '--export', '--public']),
      3,
      /the cluster has no public bootstrap string kfeed can use — turn on public access/,
    );
  });
});
