import os from 'node:os';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// Every test run gets its own XDG folders (profiles, local clusters) but shares the jar
// cache with the user, so the Kafka jars are fetched once per machine.
// KFEED_TEST_ROOT lets several suites run side by side (each with its own clusters).
const root = process.env.KFEED_TEST_ROOT ?? path.resolve(import.meta.dirname, '.kfeed-test');
const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');

// `npm test` runs the suite twice: against kfeed's default Kafka (4.1.x), then against 3.9.x
// (KFEED_TEST_KAFKA_VERSION=3.9.2; the global setup starts the suite cluster with it).
// ZooKeeper-mode tests (*.zookeeper.test.ts) run in the 3.9 pass only; tests that do not
// depend on the broker's release run in the default pass only.
const zookeeperPass = /^3\./.test(process.env.KFEED_TEST_KAFKA_VERSION ?? '');
const releaseIndependent = [
  'test/bench-units.test.ts',
  'test/certs.test.ts',
  'test/demo.test.ts',
  'test/feed-sources.test.ts',
  'test/kafka-versions.test.ts',
  'test/listeners-plan.test.ts',
  'test/local-versions.test.ts',
  'test/msk.test.ts',
  'test/ticker-pty.test.ts',
];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: [...configDefaults.exclude, ...(zookeeperPass ? releaseIndependent : ['test/**/*.zookeeper.test.ts'])],
    globalSetup: ['test/setup/global.ts'],
    // Brokers are JVMs on a 2-core machine: one test file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
    env: {
      KFEED_TEST_ROOT: root,
      XDG_CONFIG_HOME: path.join(root, 'config'),
      XDG_DATA_HOME: path.join(root, 'data'),
      XDG_CACHE_HOME: cache,
      NO_COLOR: '1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  },
});
