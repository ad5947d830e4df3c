// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * src/ files that had lines over 120 columns when the linter came in. They warn (see them with
 * `npm run lint:warnings`) instead of failing, so that no file had to be rewrapped while others were
 * rewriting it; every other file, and every new one, fails on a long line. Shrink this list.
 */
const LONG_LINES_BASELINE = [
  'src/aws/config.ts',
  'src/aws/errors.ts',
  'src/aws/msk-listeners.ts',
  'src/aws/msk.ts',
  'src/aws/pca.ts',
  'src/bench/histogram.ts',
  'src/bench/payload.ts',
  'src/bench/runner.ts',
  'src/certs/asn1.ts',
  'src/certs/csr.ts',
  'src/certs/inspect.ts',
  'src/certs/issue.ts',
  'src/certs/java.ts',
  'src/certs/keys.ts',
  'src/certs/local-ca.ts',
  'src/certs/pem.ts',
  'src/certs/pkcs12.ts',
  'src/certs/principal.ts',
  'src/certs/subject.ts',
  'src/cli.ts',
  'src/commands/acl/index.ts',
  'src/commands/ca/index.ts',
  'src/commands/cert/index.ts',
  'src/commands/command.ts',
  'src/commands/consume.ts',
  'src/commands/demo.ts',
  'src/commands/importcert.ts',
  'src/commands/issuecert.ts',
  'src/commands/local/logs.ts',
  'src/commands/local/shared.ts',
  'src/commands/local/status.ts',
  'src/commands/local/up.ts',
  'src/commands/makecsr.ts',
  'src/commands/msk/aws.ts',
  'src/commands/msk/discover.ts',
  'src/commands/options.ts',
  'src/commands/produce.ts',
  'src/commands/profile/index.ts',
  'src/commands/registry.ts',
  'src/commands/topic/create.ts',
  'src/commands/topic/delete.ts',
  'src/commands/topic/describe.ts',
  'src/commands/topic/list.ts',
  'src/commands/update-listeners.ts',
  'src/config/connection.ts',
  'src/config/profiles.ts',
  'src/context.ts',
  'src/feed/consumer.ts',
  'src/feed/pipeline.ts',
  'src/feed/producer.ts',
  'src/feed/render/records.ts',
  'src/feed/render/ticker.ts',
  'src/feed/sinks/s3.ts',
  'src/feed/sources/alpaca.ts',
  'src/feed/sources/sim.ts',
  'src/feed/sources/stdin.ts',
  'src/feed/sources/twelvedata.ts',
  'src/kafka/acls.ts',
  'src/kafka/broker-configs.ts',
  'src/kafka/client.ts',
  'src/kafka/errors.ts',
  'src/kafka/listener-change.ts',
  'src/kafka/listeners.ts',
  'src/kafka/propagation.ts',
  'src/kafka/topics.ts',
  'src/local/cluster.ts',
  'src/local/jars.ts',
  'src/local/ports.ts',
  'src/local/prerequisites.ts',
  'src/local/run.ts',
  'src/wait.ts',
];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.kfeed-test/**', 'reports/**', '.stryker-tmp/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: {
        // Type information for the rules that need it (floating promises), from the tsconfigs.
        projectService: { allowDefaultProject: ['vitest.config.ts', 'vitest.mutation.config.ts'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // A promise nobody awaits loses its error and outlives the command (or the test).
      '@typescript-eslint/no-floating-promises': 'error',
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: { 'max-len': ['error', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  {
    files: LONG_LINES_BASELINE,
    rules: { 'max-len': ['warn', { code: 120, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: Object.fromEntries(
        ['process', 'console', 'URL', 'Buffer', 'fetch', 'setTimeout', 'clearTimeout'].map((name) => [name, 'readonly']),
      ),
    },
  },
);
