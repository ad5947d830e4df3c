import os from 'node:os';
import path from 'node:path';
import { defineConfig } from 'vitest/config';

// Every test run gets its own XDG folders (profiles, local clusters) but shares the jar
// cache with the user, so the Kafka jars are fetched once per machine.
// KFEED_TEST_ROOT lets several suites run side by side (each with its own clusters).
const root = process.env.KFEED_TEST_ROOT ?? path.resolve(import.meta.dirname, '.kfeed-test');
const cache = process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache');

/** Pure tests: they start no broker, moto or Java, so their project has no global setup. */
export const UNIT_TESTS = 'test/unit/**/*.test.ts';

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
    // `vitest run` runs both; `vitest run --project unit` (npm run test:unit) starts nothing.
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: [UNIT_TESTS], testTimeout: 20_000 },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: [UNIT_TESTS],
          globalSetup: ['test/setup/global.ts'],
        },
      },
    ],
  },
});
