import fs from 'node:fs';
import type { TestProject } from 'vitest/node';

/** The names in a temp folder. */
export function tempEntries(tmp: string): string[] {
  return fs.existsSync(tmp) ? fs.readdirSync(tmp).sort() : [];
}

/**
 * What is in a tier's temp folder besides the `before` entries, as one line for a failure;
 * undefined when nothing is. Each tier has a temp folder of its own (TMPDIR, vitest.config.ts),
 * so what is there was left by this run's tests, helpers, kfeed or the tools they started.
 */
export function tempLeftovers(tmp: string, who: string, before: string[] = []): string | undefined {
  const left = tempEntries(tmp).filter((entry) => !before.includes(entry));
  if (left.length === 0) return undefined;
  const shown = left.slice(0, 20).join(', ') + (left.length > 20 ? ', ...' : '');
  return (
    `${who} left ${left.length} ${left.length === 1 ? 'entry' : 'entries'} in the temp folder ${tmp} (${shown}): ` +
    'make temp files with tempDir() (test/helpers/env.ts), which removes them when the test ends'
  );
}

/**
 * Empties the tier's temp folder when the tier starts and checks it is empty when it ends (after
 * the suite's cluster is down); test/setup/temp-files.ts checks it after each test and file too.
 */
export default function setup(project: TestProject) {
  const tier = project.name || 'mutation';
  const tmp = (project.config.env as Record<string, string | undefined>).TMPDIR;
  if (!tmp) throw new Error(`the ${tier} tests have no temp folder of their own (TMPDIR in vitest.config.ts)`);
  fs.rmSync(tmp, { recursive: true, force: true });
  fs.mkdirSync(tmp, { recursive: true, mode: 0o700 });
  return () => {
    const failure = tempLeftovers(tmp, `the ${tier} tests`);
    if (!failure) return;
    // Not thrown: vitest would skip the rest of its shutdown (its own temp folder among it).
    console.error(`\nkfeed test suite: ${failure}\n`);
    process.exitCode = 1;
  };
}
