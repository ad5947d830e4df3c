import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/run.js';

const pkg = JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
};

/** Runs the binary on this Node, made to report `version` as its own (process.versions.node). */
function binOn(version: string, args: string[]) {
  const pretend = `data:text/javascript,Object.defineProperty(process.versions,"node",{value:"${version}"})`;
  return spawnSync(process.execPath, ['--import', pretend, BIN, ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('the Node kfeed runs on', () => {
  it('is the one the repository brings (node_modules/.bin first on PATH under npm scripts)', () => {
    // npm test and npm run put node_modules/.bin/node first; vitest and every process.execPath spawn use it.
    expect(pkg.devDependencies.node).toBe(process.versions.node);
    expect(pkg.engines.node).toBe('>=22.22.0 <23 || >=24.6.0');
  });

  it('an older Node gets one line naming what is needed and the prerequisite exit code', () => {
    for (const version of ['20.20.2', '22.21.9', '23.11.0', '24.5.0']) {
      const run = binOn(version, ['--version']);
      expect(run.status, version).toBe(9);
      expect(run.stdout).toBe('');
      expect(run.stderr).toBe(
        `kfeed: Node.js ${version} is not supported — run kfeed on Node.js 22.22+ or 24.6+` +
          ' (in the repository, `npm install` brings Node 24: use `npx kfeed` or `npm run`)\n',
      );
    }
  });

  it('a supported Node runs the CLI', () => {
    for (const version of ['22.22.0', '24.6.0', '25.0.0']) {
      const run = binOn(version, ['--version']);
      expect(run.stderr, version).toBe('');
      expect(run.status).toBe(0);
      expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    }
  });
});
