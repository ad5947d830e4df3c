import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfeed } from './helpers/run.js';
import { DEFAULT_KRAFT_KAFKA_VERSION } from '../src/local/versions.js';
import { tempDir } from './helpers/env.js';
import { interruptAtStage, processesWith } from './helpers/processes.js';

describe('kfeed demo with a cluster of its own', () => {
  it('starts the cluster, streams into the ticker, then stops the cluster and removes its profile', async () => {
    const name = `demo-${Date.now().toString(36)}`;
    // A config folder of its own, holding a copy of the suite's profiles: the demo selects its
    // profile while it runs, and the one selected before must be the default again afterwards.
    const config = tempDir('kfeed-demo-config-');
    fs.mkdirSync(path.join(config, 'kfeed'));
    fs.copyFileSync(
      path.join(process.env.XDG_CONFIG_HOME!, 'kfeed', 'profiles.json'),
      path.join(config, 'kfeed', 'profiles.json'),
    );
    const env = { XDG_CONFIG_HOME: config };
    // The broker runs while the demo does (seen from outside), and is gone after it.
    let brokersSeen = 0;
    const watch = setInterval(
      () => (brokersSeen = Math.max(brokersSeen, processesWith(`clusters/${name}/broker-1/server.properties`).length)),
      500,
    );
    try {
      const demo = await kfeed(
        [
          'demo',
          '--name',
          name,
          '--duration',
          '5',
          '--rate',
          '200',
          '--symbols',
          'AAA,BBB,CCC',
          '--snapshot-seconds',
          '1',
        ],
        { env },
      );
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stderr).toContain(`profile "${name}" written and selected`);
      expect(demo.stderr).toMatch(
        new RegExp(
          `demo stopped: [1-9]\\d* records produced, [1-9]\\d* shown by the ticker; cluster ${name} stopped; profile suite is the default again`,
        ),
      );

      // The ticker's last snapshot has a row with prices for every symbol.
      const last = demo.stdout.slice(demo.stdout.lastIndexOf('SYMBOL'));
      for (const symbol of ['AAA', 'BBB', 'CCC']) expect(last).toMatch(new RegExp(`^${symbol}\\s+\\d+\\.\\d+\\s`, 'm'));

      // The cluster is gone: no state, no broker process, no profile.
      clearInterval(watch);
      expect(brokersSeen).toBe(1);
      expect(processesWith(`clusters/${name}/`)).toEqual([]);
      const status = await kfeed(['local', 'status', '--name', name], { env });
      expect(status.code).toBe(7);
      expect(status.stderr).toMatch(new RegExp(`no local cluster named "${name}"`));
      const profiles = JSON.parse((await kfeed(['profile', 'list', '--json'], { env })).stdout) as Array<{
        name: string;
        isDefault: boolean;
      }>;
      expect(profiles.map((p) => p.name)).not.toContain(name);
      expect(profiles.find((p) => p.isDefault)?.name).toBe('suite');
    } finally {
      clearInterval(watch);
      // A failed assertion above must not leave a broker running.
      await kfeed(['local', 'down', '--name', name], { env });
    }
  }, 180_000);
});

describe('kfeed demo with a cluster that runs already', () => {
  it('uses a running cluster of another shape as it is, and its ticker shows only what the demo produced', async () => {
    const name = `demo-acl-${Date.now().toString(36)}`;
    try {
      // A cluster the demo would not start itself: ACLs required.
      const up = await kfeed(['local', 'up', '--name', name, '--require-acls', '--no-profile', '--json']);
      expect(up.code, up.stderr).toBe(0);
      const view = JSON.parse(up.stdout);
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
      // Records that were in the topics before the demo, of a symbol the demo does not simulate.
      for (const topic of ['quote', 'trade', 'bar'])
        expect((await kfeed(['create-topic', topic, '-p', '3', ...conn])).code).toBe(0);
      const before = await kfeed([
        'produce',
        '--source',
        'sim',
        '--symbols',
        'OLD',
        '--count',
        '300',
        '--rate',
        '0',
        ...conn,
      ]);
      expect(before.code, before.stderr).toBe(0);

      const demo = await kfeed([
        'demo',
        '--name',
        name,
        '--duration',
        '4',
        '--rate',
        '40',
        '--symbols',
        'NEW',
        '--no-profile',
        '--json',
      ]);
      expect(demo.code, demo.stderr).toBe(0);
      const summary = JSON.parse(demo.stdout);
      expect(summary).toMatchObject({ cluster: name, clusterWasRunning: true, clusterStopped: false, symbols: 1 });
      expect(summary.tickerUpdates).toBeGreaterThan(0);
      expect(summary.tickerUpdates).toBeLessThanOrEqual(summary.produced);

      // Without --json, the demo says why it left the cluster's shape alone.
      const human = await kfeed([
        'demo',
        '--name',
        name,
        '--duration',
        '1',
        '--rate',
        '5',
        '--symbols',
        'NEW',
        '--no-profile',
      ]);
      expect(human.code, human.stderr).toBe(0);
      expect(human.stderr).toContain(
        `local cluster ${name} runs (kraft, 1 broker, ACLs required, Kafka ${DEFAULT_KRAFT_KAFKA_VERSION}): the demo uses it as it is`,
      );
      // The cluster the demo found running still runs.
      const status = await kfeed(['local', 'status', '--name', name, '--json']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ running: true, requireAcls: true });
    } finally {
      await kfeed(['local', 'down', '--name', name]);
    }
  }, 240_000);
});

describe('interrupting kfeed demo', () => {
  it('SIGINT while the demo waits for its cluster stops it, removes it and its profile, exit 130', async () => {
    const name = `demo-intr-${Date.now().toString(36)}`;
    const config = tempDir('kfeed-demo-intr-config-');
    try {
      const run = await interruptAtStage(['demo', '--name', name], /waiting for the brokers to serve/, 'SIGINT', {
        env: { XDG_CONFIG_HOME: config },
      });
      expect(run.signalled, run.stderr).toBe(true);
      expect(run.code, run.stderr).toBe(130);
      expect(run.msAfterSignal).toBeLessThan(10_000);
      expect(processesWith(`clusters/${name}/`)).toEqual([]);
      expect(fs.existsSync(path.join(process.env.XDG_DATA_HOME!, 'kfeed', 'clusters', name))).toBe(false);
      const profiles = JSON.parse(
        (await kfeed(['profile', 'list', '--json'], { env: { XDG_CONFIG_HOME: config } })).stdout,
      );
      expect(profiles).toEqual([]);
    } finally {
      await kfeed(['local', 'down', '--name', name]);
    }
  }, 240_000);
});
