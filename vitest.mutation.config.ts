import { defineConfig } from 'vitest/config';
import { TEMP_FILES, TEST_ENV, tierTemp, UNIT_TESTS } from './vitest.config.js';

// What StrykerJS runs for every mutant (`npm run test:mutation`): the unit tier, without the
// tests that load the whole CLI (registry, completion), which cover no mutated module's logic
// and would run for every mutant of a module they merely import.
export default defineConfig({
  test: {
    include: [UNIT_TESTS],
    exclude: ['test/unit/registry.test.ts', 'test/unit/completion.test.ts'],
    testTimeout: 20_000,
    env: { ...TEST_ENV, ...tierTemp('mutation') },
    setupFiles: [TEMP_FILES],
    globalSetup: ['test/setup/temp-check.ts'],
  },
});
