import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { kfeed } from './helpers/run.js';
import { tempDir } from './helpers/env.js';
import { processesWith } from './helpers/processes.js';

describe('kfeed demo with a cluster of its own', () => {
  it('starts the cluster, streams into the ticker, then stops the cluster and removes its profile', async () => {
    const name = `demo-${Date.now().toString(36)}`;
    // A config folder of its own, holding a copy of the suite's profiles: the demo selects its
    // profile while it runs, and the one selected before must be the default again afterwards.
    const config = tempDir('kfeed-demo-config-');
    fs.mkdirSync(path.join(config, 'kfeed'));
    fs.copyFileSync(path.join(process.env.XDG_CONFIG_HOME!, 'kfeed', 'profiles.json'), path.join(config, 'kfeed', 'profiles.json'));
    const env = { XDG_CONFIG_HOME: config };
    // The broker runs while the demo does (seen from outside), and is gone after it.
    let brokersSeen = 0;
    const watch = setInterval(() => (brokersSeen = Math.max(brokersSeen, processesWith(`clusters/${name}/broker-1/server.properties`).length)), 500);
    try {
      const demo = await kfeed(['demo', '--name', name, '--duration', '5', '--rate', '200', '--symbols', 'AAA,BBB,CCC', '--snapshot-seconds', '1'], { env });
      expect(demo.code, demo.stderr).toBe(0);
      expect(demo.stderr).toContain(`profile "${name}" written and selected`);
      expect(demo.stderr).toMatch(new RegExp(`demo stopped: [1-9]\\d* records produced, [1-9]\\d* shown by the ticker; cluster ${name} stopped; profile suite is the default again`));

      // The ticker's last snapshot has a row with prices for every symbol.
      const last = demo.stdout.slice(demo.stdout.lastIndexOf('SYMBOL'));
      for (const symbol of ['AAA', 'BBB', 'CCC']) expect(last).toMatch(new RegExp(`^${symbol}\\s+\\d+\\.\\d+\\s`, 'm'));

      // The cluster is gone: no state, no broker process, no profile.
      clearInterval(watch);
      expect(brokersSeen).toBe(1);
      expect(processesWith(`clusters/${name}/`)).toEqual([]);
      const status = await kfeed(['local', 'status', '--name', name], { env });
      expect(status.code).toBe(7);
      expect(status.stderr).toMatch(new RegExp(`no local cluster named "${name}"`));
      const profiles = JSON.parse((await kfeed(['profile', 'list', '--json'], { env })).stdout) as Array<{ name: string; isDefault: boolean }>;
      expect(profiles.map((p) => p.name)).not.toContain(name);
      expect(profiles.find((p) => p.isDefault)?.name).toBe('suite');
    } finally {
      clearInterval(watch);
      // A failed assertion above must not leave a broker running.
      await kfeed(['local', 'down', '--name', name], { env });
    }
  }, 180_000);
});
