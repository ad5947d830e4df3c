import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, onTestFinished } from 'vitest';
import { removeFileScopedTemps } from '../helpers/env.js';
import { tempEntries, tempLeftovers } from './temp-check.js';

// Run before every test file (files run one at a time). A test fails when it adds to the tier's
// temp folder something that is still there once it ended and its own cleanups ran (this check is
// registered first, so it runs last); when the file ends, what it made outside its tests
// (tempDir() at file or describe level, or in a beforeAll) is removed and the same is checked.
const tmp = os.tmpdir();
const tiersOwn = path.dirname(tmp) === path.join(process.env.KFEED_TEST_ROOT!, 'tmp');
const check = (who: string, before: string[]) => {
  const failure = tiersOwn ? tempLeftovers(tmp, who, before) : undefined;
  if (failure) throw new Error(failure);
};
const atFileStart = tempEntries(tmp);

beforeEach(() => {
  const atTestStart = tempEntries(tmp);
  onTestFinished(() => check('this test', atTestStart));
});

afterAll(() => {
  removeFileScopedTemps();
  check('this test file', atFileStart);
});
