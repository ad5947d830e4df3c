import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfeedPaths } from '../src/config/paths.js';
import { tempDir } from './helpers/env.js';
import { kfeed } from './helpers/run.js';

// Version choices that are refused before anything starts; the same for every release, so
// this file runs once (in the 4.1 pass of npm test).
describe('kfeed local up --kafka-version', () => {
  const dataDir = kfeedPaths(process.env).dataDir;
  const clusterFolder = (name: string) => path.join(dataDir, 'clusters', name);

  it('refuses ZooKeeper mode on 4.x, a version with KAFKA_HOME, and a bad number: one line, exit 2, nothing written', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [
        ['--mode', 'zookeeper', '--kafka-version', '4.1.2'],
        {},
        /^kfeed: Kafka 4\.1\.2 has no ZooKeeper mode \(it was removed in 4\.0\)/,
      ],
      // With a SCRAM user, the refusal comes before the password prompt.
      [
        ['--kafka-version', '4.1.2', '--scram-user', 'u'],
        { KAFKA_HOME: os.tmpdir() },
        /^kfeed: --kafka-version cannot be used with KAFKA_HOME/,
      ],
      [['--kafka-version', '3.8.1'], {}, /^kfeed: Kafka 3\.8\.1 is not supported by kfeed local/],
      [['--kafka-version', 'latest'], {}, /^kfeed: "latest" is not an Apache Kafka release number/],
    ];
    for (const [args, env, message] of cases) {
      const result = await kfeed(['local', 'up', '--name', 'refused', ...args], { env });
      expect({ args, code: result.code }).toEqual({ args, code: 2 });
      expect(result.stderr).toMatch(message);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(fs.existsSync(clusterFolder('refused'))).toBe(false);
    }
  });

  it('refuses ZooKeeper mode when the install in KAFKA_HOME is 4.x, and writes nothing', async () => {
    const home = tempDir('kfeed-kafka-home-');
    fs.mkdirSync(path.join(home, 'libs'));
    fs.writeFileSync(path.join(home, 'libs', 'kafka_2.13-4.1.2.jar'), '');
    const result = await kfeed(['local', 'up', '--name', 'home4', '--mode', 'zookeeper'], {
      env: { KAFKA_HOME: home },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^kfeed: Kafka 4\.1\.2 has no ZooKeeper mode \(it was removed in 4\.0\)/m);
    expect(fs.existsSync(clusterFolder('home4'))).toBe(false);
  });

  it('says in one line when Maven Central does not serve the release, and caches nothing', async () => {
    const cache = tempDir('kfeed-cache-');
    const result = await kfeed(['local', 'up', '--name', 'unserved', '--kafka-version', '4.1.99'], {
      env: { XDG_CACHE_HOME: cache },
    });
    expect(result.code).toBe(9);
    expect(result.stderr).toMatch(/^kfeed: Maven Central does not serve Apache Kafka 4\.1\.99 here — /m);
    expect(fs.readdirSync(path.join(cache, 'kfeed'))).toEqual([]);
    expect(fs.existsSync(clusterFolder('unserved'))).toBe(false);
  });
});
