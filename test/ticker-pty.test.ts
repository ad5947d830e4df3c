import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, kfeed } from './helpers/run.js';
import { requireTool, testEnv } from './helpers/env.js';

import { unique } from './helpers/unique.js';

// Runs the command on a terminal of 40x120, waits until every symbol is on screen and a few
// more frames were drawn, then presses Ctrl-C; prints what the terminal received as JSON.
const PTY_SCRIPT = String.raw`
import io, json, os, sys, pexpect
env = dict(os.environ)
env.pop('CI', None)
env['TERM'] = 'xterm'
screen = io.StringIO()
child = pexpect.spawn(sys.argv[1], sys.argv[2:], env=env, encoding='utf-8', timeout=60, dimensions=(40, 120))
child.logfile_read = screen
child.expect(r'\nCCC +\d')
for _ in range(3):
    child.expect(r'\x1b\[J')
child.sendintr()
child.expect(pexpect.EOF)
child.close()
print(json.dumps({'status': child.exitstatus, 'signal': child.signalstatus, 'screen': screen.getvalue()}))
`;

interface Frame {
  /** Lines the cursor moved up before clearing (0 for the first frame). */
  up: number;
  lines: string[];
}

/** The frames of an in-place redraw: [cursor up N, carriage return] clear-to-end, then the table. */
function frames(screen: string): Frame[] {
  // eslint-disable-next-line no-control-regex -- the terminal escapes are what is parsed
  return [...screen.matchAll(/(?:\x1b\[(\d+)A\r)?\x1b\[J([^\x1b]*)/g)].map((m) => ({
    up: Number(m[1] ?? 0),
    // The terminal turns each \n into \r\n.
    lines: m[2].split('\r\n').slice(0, -1),
  }));
}

describe('the ticker on a terminal', () => {
  it('redraws one row per symbol in place, and Ctrl-C leaves the last table and exits 130', async () => {
    expect(fs.existsSync(path.join(path.dirname(BIN), '../dist/cli.js')), 'build first: npm run build').toBe(true);
    requireTool('python3', 'apt-get install python3');
    const check = spawnSync('python3', ['-c', 'import pexpect'], { encoding: 'utf8' });
    if (check.status !== 0)
      throw new Error('python3 pexpect is required by this test: pip install -r test/requirements.txt');

    const prefix = `${unique('pty')}.`;
    for (const kind of ['quote', 'trade', 'bar'])
      expect((await kfeed(['create-topic', `${prefix}${kind}`])).code).toBe(0);
    const produced = await kfeed([
      'produce',
      '--source',
      'sim',
      '--rate',
      '0',
      '--count',
      '600',
      '--symbols',
      'AAA,BBB,CCC',
      '--topic-prefix',
      prefix,
    ]);
    expect(produced.code, produced.stderr).toBe(0);

    const args = [
      BIN,
      'consume',
      `${prefix}quote`,
      `${prefix}trade`,
      '--from-beginning',
      '--format',
      'ticker',
      '--fps',
      '5',
      '--group',
      unique('g'),
    ];
    const run = spawnSync('python3', ['-c', PTY_SCRIPT, process.execPath, ...args], {
      encoding: 'utf8',
      env: testEnv(),
      timeout: 90_000,
    });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    const { status, screen } = JSON.parse(run.stdout) as {
      status: number | null;
      signal: number | null;
      screen: string;
    };
    expect(status, screen).toBe(130);
    expect(screen).not.toMatch(/unexpected error|\n\s+at /);

    const drawn = frames(screen);
    expect(drawn.length).toBeGreaterThanOrEqual(4);
    // Each frame goes back up over exactly the lines of the one before, so it replaces it.
    expect(drawn[0].up).toBe(0);
    for (let i = 1; i < drawn.length; i++)
      expect({ frame: i, up: drawn[i].up }).toEqual({ frame: i, up: drawn[i - 1].lines.length });

    // The last frame (drawn when Ctrl-C stopped it): the header, one row per symbol, the rates.
    const last = drawn[drawn.length - 1].lines;
    expect(last[0]).toMatch(/^SYMBOL\s+LAST\s+BID\s+ASK\s+CHANGE\s+CHANGE%\s+VOLUME\s+AGE$/);
    expect(last.slice(1, -1).map((row) => row.split(/\s+/)[0])).toEqual(['AAA', 'BBB', 'CCC']);
    for (const row of last.slice(1, -1)) {
      const [, lastPrice, bid, ask] = row.split(/\s+/).map(Number);
      expect(bid).toBeLessThan(ask);
      expect(lastPrice).toBeGreaterThan(0);
    }
    expect(last[last.length - 1]).toMatch(/^\d+ updates \(\d+\/s\)$/);
    // Nothing follows the last frame but the terminal's own echo of ^C.
    expect(
      screen.slice(screen.lastIndexOf(last[last.length - 1]) + last[last.length - 1].length).replace(/\^C|\r|\n/g, ''),
    ).toBe('');
  }, 150_000);
});
