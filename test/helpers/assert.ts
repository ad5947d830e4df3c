import fs from 'node:fs';
import { expect } from 'vitest';
import type { RunResult } from './capture.js';

/** A failed command: its exit code, one `kfeed:` line that matches, no stack trace. */
export function expectFailure(result: RunResult, code: number, message: RegExp): void {
  expect({ code: result.code, stderr: result.stderr }).toMatchObject({ code });
  const errors = result.stderr.split('\n').filter((line) => line.startsWith('kfeed:'));
  expect(errors).toHaveLength(1);
  expect(errors[0]).toMatch(message);
  expect(result.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
}

/** The file names in a folder, sorted (none when it does not exist): "nothing was written". */
export function listing(dir: string): string[] {
  return fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
}
