import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/env.js';

// tempDir() removes its folder when the test that made it ends, pass or fail; one made outside
// a test lives until the file ends (its removal then is checked by test/setup/temp-check.ts).
describe('tempDir()', () => {
  const atDescribe = tempDir('kfeed-scope-describe-');
  let inBeforeAll = '';
  let passed = '';
  let failed = '';
  beforeAll(() => {
    inBeforeAll = tempDir('kfeed-scope-before-all-');
  });

  it("is a folder of the tier's own temp folder, there while the test runs", () => {
    passed = tempDir('kfeed-scope-passed-');
    fs.writeFileSync(path.join(passed, 'key.pem'), 'secret\n', { mode: 0o600 });
    expect(path.dirname(passed)).toBe(os.tmpdir());
    expect(path.dirname(os.tmpdir())).toBe(path.join(process.env.KFEED_TEST_ROOT!, 'tmp'));
    expect(fs.statSync(passed).isDirectory()).toBe(true);
  });

  it.fails('(a test that fails, on purpose)', () => {
    failed = tempDir('kfeed-scope-failed-');
    expect(fs.existsSync(failed)).toBe(false);
  });

  it('is gone once its test ended, passed or failed; one made outside a test stays for the next tests', () => {
    expect([passed, failed].map((dir) => dir !== '' && fs.existsSync(dir))).toEqual([false, false]);
    expect([atDescribe, inBeforeAll].map((dir) => fs.existsSync(dir))).toEqual([true, true]);
  });
});

describe("the tier's temp folder", () => {
  it('is the temp folder of the processes a test starts: a shell tool and a node program see it', () => {
    const shell = spawnSync('sh', ['-c', 'printf %s "$TMPDIR"'], { encoding: 'utf8' });
    const node = spawnSync(process.execPath, ['-e', "process.stdout.write(require('node:os').tmpdir())"], {
      encoding: 'utf8',
    });
    expect([shell.stdout, node.stdout]).toEqual([os.tmpdir(), os.tmpdir()]);
    expect(os.tmpdir()).not.toBe('/tmp');
  });
});
