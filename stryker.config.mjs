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
    'src/kafka/reset-plan.ts', // group reset-offsets: where each partition goes
    'src/kafka/reset-target.ts', // group reset-offsets: a missing group only with --new-group
    'src/kafka/lag.ts', // consumer lag in messages and seconds
    'src/subscribers/state.ts', // subscriber state, days left, lag and ACL drift
    'src/aws/iam-policy.ts', // least-privilege IAM policies
    'src/aws/credential-process.ts:12-47', // what a credential_process printed (the rest runs it)
    'src/certs/principal.ts', // the Kafka principal of a certificate
    'src/certs/subject.ts', // subject fields of CSRs
    'src/certs/validity.ts', // issued validity against the one asked for
    'src/feed/schema.ts', // the market events and their topics
    'src/feed/sources/options.ts', // per-source options, --kinds, -K, symbol lists, times
    'src/feed/sources/alpaca.ts:28-106', // Alpaca frames to market events
    'src/feed/sources/twelvedata.ts:96-139', // Twelve Data /price answers to trades (and its error bodies)
    'src/feed/sources/sim.ts:1-191', // the simulated market
    'src/feed/sources/sim.ts:206-210', // --kinds: only the kinds asked for are sent
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
  // Both cores of a quiet 2-core machine (pass --concurrency 1 on a shared one).
  concurrency: 2,
  // Added to 1.5 x the covering tests' own time: enough on a loaded machine, short for endless-loop mutants.
  timeoutMS: 5_000,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
