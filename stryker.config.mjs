// @ts-check
/**
 * Mutation testing of the pure modules of the unit tier (`npm run test:mutation`, not part of
 * `npm test`): each mutant is a small change to the code; a unit test must fail for it.
 * CPU-heavy: run it on a quiet machine. The summary and the kept survivors are in test/mutation/.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.mutation.config.ts' },
  // Module-level constants: every test would run for each; they are listed as ignored.
  ignoreStatic: true,
  plugins: ['@stryker-mutator/vitest-runner'],
  coverageAnalysis: 'perTest',
  mutate: [
    'src/kafka/listeners.ts', // listener planner
    'src/certs/principal.ts', // the Kafka principal of a certificate
    'src/certs/subject.ts', // subject fields of CSRs
    'src/feed/schema.ts', // the market events and their topics
    'src/feed/sources/alpaca.ts:27-110', // Alpaca frames to market events
    'src/feed/sources/twelvedata.ts:96-139', // Twelve Data /price answers to trades (and its error bodies)
    'src/feed/sources/sim.ts:1-139', // simulated market rules
    'src/config/connection.ts', // flags > environment > profile resolver
    'src/feed/sinks/s3.ts:16-24', // S3 locations (line range: check it when the file changes)
    'src/feed/sinks/layouts.ts', // S3 object keys of both formats, read back
    'src/feed/sinks/formats.ts', // cutting batches into objects (hours of event time)
    'src/feed/sinks/parquet/columns.ts', // records to Parquet columns, event times
    'src/feed/sinks/ddl.ts', // Athena and DuckDB table definitions
    'src/bench/histogram.ts', // bench statistics
  ],
  reporters: ['clear-text', 'progress', 'json', 'html'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  concurrency: 1,
  timeoutMS: 30_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
