import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { suiteKafkaVersion, tempDir } from './helpers/env.js';
import { kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';

/** The SASL/SCRAM path of the connection resolver, against a real SCRAM listener. */
describe('SASL/SCRAM over TLS', () => {
  const name = 'scram-test';
  const password = 'scram-pw-7Qx';
  let view: { bootstrap: { sasl: string[]; tls: string[] }; files: { ca: string } };

  beforeAll(async () => {
    const up = await kfeed(
      [
        'local',
        'up',
        '--name',
        name,
        '--require-acls',
        '--kafka-version',
        suiteKafkaVersion(),
        '--scram-user',
        'alice',
        '--no-profile',
        '--json',
      ],
      { env: { KFEED_SASL_PASSWORD: password } },
    );
    expect(up.stderr).not.toMatch(/kfeed:/);
    expect(up.code).toBe(0);
    view = JSON.parse(up.stdout);
    expect(up.stdout + up.stderr).not.toContain(password);
  });
  afterAll(async () => {
    await kfeed(['local', 'down', '--name', name]);
  });

  const asAlice = (args: string[], env: Record<string, string | undefined>) =>
    kfeed([...args, '--brokers', view.bootstrap.sasl.join(','), '--ca', view.files.ca, '--sasl-user', 'alice'], {
      env: { XDG_CONFIG_HOME: tempDir(), ...env },
      cwd: tempDir(),
    });

  it('authenticates with the password from KFEED_SASL_PASSWORD, and ACLs apply to User:alice', async () => {
    const admin = ['--brokers', view.bootstrap.tls.join(','), '--ca', view.files.ca];
    const state = JSON.parse((await kfeed(['local', 'status', '--name', name, '--json'])).stdout);
    const adminFlags = [...admin, '--cert', state.files.clientCert, '--key', state.files.clientKey];
    expect((await kfeed(['create-topic', 'prices', ...adminFlags])).code).toBe(0);

    const denied = await asAlice(['describe-topic', 'prices'], { KFEED_SASL_PASSWORD: password });
    expectFailure(denied, 6, /not authorized to describe topic prices/);

    expect(
      (
        await kfeed([
          'acl',
          'grant',
          '--principal',
          'User:alice',
          '--role',
          'consumer',
          '--topic',
          'prices',
          ...admin,
          '--admin-cert',
          state.files.clientCert,
          '--admin-key',
          state.files.clientKey,
        ])
      ).code,
    ).toBe(0);
    const allowed = await asAlice(['describe-topic', 'prices', '--json'], { KFEED_SASL_PASSWORD: password });
    expect(allowed.stderr).toBe('');
    expect(allowed.code).toBe(0);
    expect(JSON.parse(allowed.stdout).name).toBe('prices');

    const resolved = await asAlice(['profile', 'show', '--resolved', '--json'], { KFEED_SASL_PASSWORD: password });
    expect(JSON.parse(resolved.stdout)).toMatchObject({ security: 'sasl_ssl', saslUser: 'alice' });
    expect(resolved.stdout).not.toContain(password);
  });

  it('a wrong password is refused in one line, and a missing one is asked for or named', async () => {
    const wrong = await asAlice(['list-topics'], { KFEED_SASL_PASSWORD: 'not-the-password' });
    expectFailure(wrong, 6, /SASL authentication failed/);
    expect(wrong.stderr.trim().split('\n')).toHaveLength(1);
    expect(wrong.stderr).not.toContain('not-the-password');
    const missing = await asAlice(['list-topics'], { KFEED_SASL_PASSWORD: undefined });
    expectFailure(missing, 3, /no SASL password for alice — set KFEED_SASL_PASSWORD/);
  });

  it('refuses a SCRAM user on a ZooKeeper-mode cluster before starting anything', async () => {
    const result = await kfeed(['local', 'up', '--name', 'scram-zk', '--mode', 'zookeeper', '--scram-user', 'bob'], {
      env: { KFEED_SASL_PASSWORD: 'x' },
    });
    expectFailure(result, 2, /SCRAM user needs a KRaft cluster/);
    expect((await kfeed(['local', 'status', '--name', 'scram-zk'])).code).toBe(7);
    expect(fs.existsSync(path.join(process.env.XDG_DATA_HOME!, 'kfeed', 'clusters', 'scram-zk'))).toBe(false);
  });
});
