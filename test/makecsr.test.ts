import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/env.js';
import { kfeed, kfeedBinary } from './helpers/run.js';
import { expectFailure, listing } from './helpers/assert.js';

describe('makecsr --out-dir', () => {
  it('a folder the system will not make (under /proc) fails at once, in one line, before any key is made', async () => {
    // Node's recursive mkdir spins for ever there: the binary is killed after 20 s if it hangs.
    const started = Date.now();
    const result = await kfeedBinary(['makecsr', '--yes', '--cn', 'a', '--out-dir', '/proc/kfeed-makecsr-test/out'], {
      timeoutMs: 20_000,
    });
    expectFailure(
      result,
      3,
      /^kfeed: cannot create folder \/proc\/kfeed-makecsr-test \(ENOENT\) — choose another --out-dir$/,
    );
    // One line and nothing else: no "making a key" status was printed, so no key was made.
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(fs.existsSync('/proc/kfeed-makecsr-test')).toBe(false);
  }, 40_000);

  it('a file in the way of the folder is named, and nothing is written', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'plain-file'), 'x');
    const result = await kfeed(['makecsr', '--yes', '--cn', 'a', '--out-dir', 'plain-file/out'], { cwd: dir });
    expectFailure(
      result,
      3,
      /cannot create folder \S*\/plain-file\/out: \S*\/plain-file is not a folder — choose another --out-dir$/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(listing(dir)).toEqual(['plain-file']);
  });

  it('makes missing parent folders, and removes the ones it made when it fails later', async () => {
    const dir = tempDir();
    const made = await kfeed(['makecsr', '--yes', '--cn', 'a', '--out-dir', 'x/y/z'], { cwd: dir });
    expect(made.code).toBe(0);
    expect(listing(path.join(dir, 'x/y/z'))).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);

    const failed = await kfeed(['makecsr', '--yes', '--cn', 'a', '--out-dir', 'p/q', '--ca', 'missing.pem'], {
      cwd: dir,
    });
    expectFailure(failed, 3, /CA file .*missing\.pem does not exist/);
    expect(listing(dir)).toEqual(['x']);
  });
});

describe('makecsr without a CN', () => {
  it('says the CN is missing when other fields are given, and that no subject was given when none is', async () => {
    const dir = tempDir();
    expectFailure(
      await kfeed(['makecsr', '--yes', '--o', 'foo'], { cwd: dir }),
      2,
      /^kfeed: the subject has no CN \(common name\), which names the client — with --yes pass --cn NAME/,
    );
    expectFailure(
      await kfeed(['makecsr', '--yes', '--subject', 'O=Example Corp,C=US'], { cwd: dir }),
      2,
      /^kfeed: the subject has no CN/,
    );
    expectFailure(
      await kfeed(['makecsr', '--yes'], { cwd: dir }),
      2,
      /^kfeed: no subject given — with --yes pass --cn NAME/,
    );
    expect(listing(dir)).toEqual([]);
  });
});
