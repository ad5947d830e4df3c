import os from 'node:os';
import path from 'node:path';
import { configDefaults, defineConfig } from 'vitest/config';

// Every test run gets its own XDG folders (profiles, local clusters) but shares the jar
// cache with the user, so the Kafka jars are fetched once per machine.
// KFEED_TEST_ROOT lets several suites run side by side (each with its own clusters).
const root = process.env.KFEED_TEST_ROOT ?? path.resolve(import.meta.dirname, '.kfeed-test');
const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');

// `npm test` runs the unit tier and the integration tier against kfeed's default Kafka (4.1.x),
// then the integration tier again against 3.9.x (KFEED_TEST_KAFKA_VERSION=3.9.2; the global
// setup starts the suite cluster with it). ZooKeeper-mode tests (*.zookeeper.test.ts) run in
// the 3.9 pass only; tests whose result does not depend on the broker's release run once.
const zookeeperPass = /^3\./.test(process.env.KFEED_TEST_KAFKA_VERSION ?? '');
const releaseIndependent = [
  // kfeed bench measures the produce and consume paths that both passes test.
  'test/bench.test.ts',
  'test/certs.test.ts',
  'test/certs-pca.test.ts',
  'test/consumer-rewind.test.ts',
  'test/demo.test.ts',
  'test/feed-sources.test.ts',
  'test/iam-auth.test.ts',
  'test/iam-policy.test.ts',
  // A silent listener, and a group join on the 4.1 pass's classic protocol.
  'test/interrupt-silent-broker.test.ts',
  'test/issuecert-wait.test.ts',
  'test/local-iam.test.ts',
  'test/makecsr.test.ts',
  'test/msk.test.ts',
  'test/s3.test.ts',
  'test/s3-parquet.test.ts',
  // Sinks sharing a group: the classic protocol (3.9's only one) runs in the 4.1 pass too.
  'test/s3-sink-group.test.ts',
  'test/ticker-pty.test.ts',
];

/** Pure tests: they start no broker, moto or Java (their global setup only checks the temp folder). */
export const UNIT_TESTS = 'test/unit/**/*.test.ts';

/**
 * Each tier's own temp folder: its tests, kfeed and every process they start (kcat, Java, the
 * built binary) inherit it as TMPDIR; test/setup/temp-check.ts fails the tier when anything is
 * left in it, which other suites running on the machine cannot touch.
 */
export const tierTemp = (tier: string) => ({ TMPDIR: path.join(root, 'tmp', tier) });

/** Removes after each test file what it made outside its tests (tempDir(), test/helpers/env.ts). */
export const TEMP_FILES = 'test/setup/temp-files.ts';

/** The suite's own XDG folders and quiet output, for both tiers. */
export const TEST_ENV = {
  KFEED_TEST_ROOT: root,
  XDG_CONFIG_HOME: path.join(root, 'config'),
  XDG_DATA_HOME: path.join(root, 'data'),
  XDG_CACHE_HOME: cache,
  NO_COLOR: '1',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
};

export default defineConfig({
  test: {
    // Brokers are JVMs on a 2-core machine: one test file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 300_000,
    teardownTimeout: 60_000,
    reporters: ['default'],
    env: TEST_ENV,
    setupFiles: [TEMP_FILES],
    // `vitest run` runs both; `vitest run --project unit` (npm run test:unit) starts nothing.
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [UNIT_TESTS],
          testTimeout: 20_000,
          env: tierTemp('unit'),
          globalSetup: ['test/setup/temp-check.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [
            ...configDefaults.exclude,
            UNIT_TESTS,
            ...(zookeeperPass ? releaseIndependent : ['test/**/*.zookeeper.test.ts']),
          ],
          env: tierTemp('integration'),
          // The temp check first: its teardown runs last, after the suite's cluster is down.
          globalSetup: ['test/setup/temp-check.ts', 'test/setup/global.ts'],
        },
      },
    ],
  },
});
