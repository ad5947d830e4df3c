import fs from 'node:fs';
import { expect } from 'vitest';
import type { RunResult } from './capture.js';

/**
 * A failed command: its exit code, one `kfeed:` line that matches, no stack trace.
 * `label` (for example the arguments of a table-driven case) names the case when it fails.
 */
export function expectFailure(result: RunResult, code: number, message: RegExp, label?: unknown): void {
  const named = label === undefined ? {} : { case: label };
  const about = label === undefined ? undefined : JSON.stringify(label);
  expect({ ...named, code: result.code, stderr: result.stderr }).toMatchObject({ ...named, code });
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('kfeed:'));
  expect(errors, about).toHaveLength(1);
  expect(errors[0], about).toMatch(message);
  expect(result.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
}

/** The file names in a folder, sorted (none when it does not exist): "nothing was written". */
export function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}

/**
 * A function that throws a KfeedError of this kind whose message is (or matches) `message`,
 * with a hint that says what to do: any non-empty hint, or one that is (or matches) `hint`;
 * `hint: null` for an error that has none.
 */
export function expectKfeedError(
  run: () => unknown,
  kind: string,
  message: string | RegExp,
  options: { hint?: string | RegExp | null } = {},
): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'nothing was thrown').toBeInstanceOf(Error);
  expect((thrown as { kind?: string }).kind).toBe(kind);
  if (typeof message === 'string') expect((thrown as Error).message).toBe(message);
  else expect((thrown as Error).message).toMatch(message);
  const hint = (thrown as { hint?: string }).hint;
  if (options.hint === null) expect(hint, 'a hint').toBeUndefined();
  else if (options.hint === undefined) expect(hint, 'the hint (what to do)').toMatch(/\S/);
  else if (typeof options.hint === 'string') expect(hint).toBe(options.hint);
  else expect(hint).toMatch(options.hint);
}
