import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { ConnectionSettings } from '../src/config/connection.js';
import { readListenerConfigs } from '../src/kafka/broker-configs.js';
import { withAdmin } from '../src/kafka/client.js';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kfeed } from './helpers/run.js';

// The ZooKeeper-mode half lives in listeners.zookeeper.test.ts (Kafka 3.9 only).
const work = tempDir('kfeed-listeners-');

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

describe('update-listeners on a KRaft cluster', () => {
  it('refuses without --msk, in one line, and changes nothing', async () => {
    const shared = sharedCluster();
    const s: ConnectionSettings = {
      brokers: shared.tlsBrokers,
      security: 'ssl',
      tls: {
        ca: fs.readFileSync(shared.ca, 'utf8'),
        cert: fs.readFileSync(shared.adminCert, 'utf8'),
        key: fs.readFileSync(shared.adminKey, 'utf8'),
      },
      origin: {},
      files: {},
    };
    const before = await withAdmin(s, (admin) => readListenerConfigs(admin));
    expect(before.every((b) => b.mode === 'kraft')).toBe(true);
    const result = await kfeed(
      ['update-listeners', '--host-template', 'localhost', '--port-base', '18440', '--apply'],
      { cwd: work },
    );
    expect(result.code).toBe(8);
    expect(result.stderr).toMatch(
      /KRaft mode.*refuse run-time changes of advertised listeners; nothing was changed — on Amazon MSK pass --msk/,
    );
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(await withAdmin(s, (admin) => readListenerConfigs(admin))).toEqual(before);
  });
});
