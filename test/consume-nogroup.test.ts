import { describe, expect, it } from 'vitest';
import { kfeed } from './helpers/run.js';
import { sharedCluster } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { unique } from './helpers/unique.js';
import { expectFailure } from './helpers/assert.js';

const lines = (text: string) => text.split('\n').filter(Boolean);

describe('consume without -g reads like kcat: no group, nothing committed', () => {
  it('reads the whole topic every time; -g G reads it once; no group is left behind', async () => {
    const topic = unique('nogroup');
    expect((await kfeed(['create-topic', topic, '--partitions', '3'])).code).toBe(0);
    const sent = Array.from({ length: 60 }, (_, i) => `record-${i}`);
    expect((await kfeed(['produce', '-t', topic], { stdin: sent.join('\n') + '\n' })).code).toBe(0);
    const c = sharedCluster();
    const kcatRead = await kcat(c.tlsBrokers, { ca: c.ca, cert: c.adminCert, key: c.adminKey }, [
      ...['-C', '-t', topic, '-e', '-q', '-f', '%s\\n'],
    ]);
    expect(lines(kcatRead.stdout)).toHaveLength(60);

    // Twice in a row: --from-beginning applies every time, as kcat -o beginning does.
    for (let run = 0; run < 2; run++) {
      const read = await kfeed(['consume', topic, '--from-beginning', '-e', '-f', 'raw']);
      expect([read.code, read.stderr]).toEqual([0, expect.stringMatching(/^consumed 60 messages in /)]);
      expect(lines(read.stdout).sort()).toEqual(lines(kcatRead.stdout).sort());
    }
    // --partition and --offset without a group: that partition only, from that offset.
    const one = await kfeed(['consume', topic, '--partition', '1', '--offset', '0', '-e', '--json']);
    expect(one.code).toBe(0);
    const partitionOne = lines(one.stdout).map((l) => JSON.parse(l) as { partition: number });
    expect(partitionOne.length).toBeGreaterThan(0);
    expect(partitionOne.every((r) => r.partition === 1)).toBe(true);

    // With a group, the second run continues after what the first committed.
    const group = unique('g');
    const first = await kfeed(['consume', topic, '--from-beginning', '-e', '-f', 'raw', '-g', group]);
    const second = await kfeed(['consume', topic, '--from-beginning', '-e', '-f', 'raw', '-g', group]);
    expect([first.code, second.code]).toEqual([0, 0]);
    expect(lines(first.stdout)).toHaveLength(60);
    expect(second.stdout).toBe('');

    const groups = await kfeed(['group', 'list', '--json']);
    expect(groups.code).toBe(0);
    const names = (JSON.parse(groups.stdout) as Array<{ group?: string; groupId?: string; name?: string }>).map(
      (g) => g.group ?? g.groupId ?? g.name,
    );
    expect(names).toContain(group);
    expect(names).not.toContain('kfeed-consumer');
  });

  it('--group-protocol needs a group', async () => {
    const result = await kfeed(['consume', 'anything', '--group-protocol', 'classic']);
    expectFailure(result, 2, /^kfeed: --group-protocol needs a consumer group — name one with -g$/m);
  });
});
