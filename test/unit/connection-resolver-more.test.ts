import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { identityFromWorkingFolder, LEGACY_FILES, parseBrokerList } from '../../src/config/connection.js';
import type { Profile } from '../../src/config/profiles.js';
import { tempDir } from '../helpers/env.js';
import { expectKfeedError } from '../helpers/assert.js';
import { resolveWith as resolve } from '../helpers/resolve-connection.js';

/** The error a resolution rejects with, for expectKfeedError (which takes a function that throws). */
async function rejection(settings: Promise<unknown>): Promise<() => never> {
  let error: unknown;
  try {
    await settings;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error('the resolution succeeded');
  return () => {
    throw error;
  };
}

/** A folder with these files (name -> text). */
function folder(contents: Record<string, string>): string {
  const dir = tempDir('kfeed-resolver-more-');
  for (const [name, text] of Object.entries(contents)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe('which profile counts', () => {
  // A SASL user and a plaintext protocol in the profile: both show whether it was used.
  const dev: Profile = { brokers: ['p:1'], security: 'plaintext', saslUser: 'carol' };
  const env = { KFEED_SASL_PASSWORD: 'pw' };

  it('a default profile is dropped when --brokers or TLSBROKERS name the cluster', async () => {
    for (const [flags, extra] of [
      [{ brokers: 'f:1' }, {}],
      [{}, { TLSBROKERS: 'e:1' }],
    ] as const) {
      const settings = await resolve(flags, { profiles: { dev }, env: { ...env, ...extra } }).settings;
      // Another cluster: neither the profile's user nor its protocol, and no profile named.
      expect([settings.security, settings.sasl, settings.origin.saslUser, settings.profileName]).toEqual([
        'ssl',
        undefined,
        undefined,
        undefined,
      ]);
    }
  });

  it('a profile named by --profile or KFEED_PROFILE keeps its user with other brokers, not its protocol', async () => {
    for (const [flags, extra] of [
      [{ brokers: 'f:1', profile: 'dev' }, {}],
      [{ brokers: 'f:1' }, { KFEED_PROFILE: 'dev' }],
    ] as const) {
      const settings = await resolve(flags, { profiles: { dev }, env: { ...env, ...extra } }).settings;
      expect(settings).toMatchObject({
        brokers: ['f:1'],
        origin: { brokers: '--brokers', saslUser: 'profile dev' },
        sasl: { username: 'carol', password: 'pw', mechanism: 'scram-sha-512' },
        profileName: 'dev',
      });
      // The profile's plaintext is about its own brokers: these get TLS (SASL over it).
      expect(settings.security).toBe('sasl_ssl');
      expect(settings.tls).toEqual({});
    }
  });

  it('with the profile brokers, its protocol holds: plaintext plus its user is SASL over plaintext', async () => {
    const settings = await resolve({}, { profiles: { dev }, env }).settings;
    expect(settings).toMatchObject({
      security: 'sasl_plaintext',
      origin: { brokers: 'profile dev', saslUser: 'profile dev' },
      profileName: 'dev',
    });
    expect(settings.tls).toBeUndefined();
    for (const security of ['sasl_ssl', 'sasl_plaintext'] as const) {
      const sasl = await resolve({}, { profiles: { s: { brokers: ['p:1'], security, saslUser: 'u' } }, env }).settings;
      expect([sasl.security, sasl.sasl?.username]).toEqual([security, 'u']);
    }
  });

  it('names every layer a broker list can come from in the hint when there is none', async () => {
    expectKfeedError(await rejection(resolve({}).settings), 'config', 'no brokers given', {
      hint: 'pass --brokers host:port, set TLSBROKERS, or create a profile (`kfeed local up` makes one)',
    });
  });

  it('lists the protocols it knows when a profile has another', async () => {
    const profiles = { odd: { brokers: ['p:1'], security: 'TLS' as never } };
    expectKfeedError(
      await rejection(resolve({}, { profiles }).settings),
      'config',
      'profile odd has an unknown security protocol "TLS"',
      { hint: 'use one of ssl, plaintext, sasl_ssl, sasl_plaintext' },
    );
  });
});

describe('SASL users and mechanisms', () => {
  it('says a SASL user came from --sasl-user, and --plaintext with a user from the environment is SASL', async () => {
    const env = { KFEED_SASL_PASSWORD: 'pw', KFEED_SASL_USER: 'bob' };
    const flag = await resolve({ brokers: 'b:1', saslUser: 'alice' }, { env }).settings;
    expect([flag.origin.saslUser, flag.sasl?.username, flag.security]).toEqual(['--sasl-user', 'alice', 'sasl_ssl']);
    const plain = await resolve({ brokers: 'b:1', plaintext: true }, { env }).settings;
    expect(plain).toMatchObject({
      security: 'sasl_plaintext',
      origin: { security: '--plaintext', saslUser: 'KFEED_SASL_USER' },
      sasl: { username: 'bob', password: 'pw' },
    });
    expect(plain.tls).toBeUndefined();
  });

  it('takes the mechanism from the profile when no flag names one, in any case', async () => {
    const profile: Profile = { brokers: ['p:1'], saslUser: 'u', saslMechanism: 'SCRAM-SHA-256' as never };
    const env = { KFEED_SASL_PASSWORD: 'pw' };
    expect((await resolve({}, { profiles: { p: profile }, env }).settings).sasl?.mechanism).toBe('scram-sha-256');
    const flag = await resolve({ saslMechanism: 'scram-sha-512' }, { profiles: { p: profile }, env }).settings;
    expect(flag.sasl?.mechanism).toBe('scram-sha-512');
  });

  it('names the mechanisms it knows, and where a SASL password can come from', async () => {
    expectKfeedError(
      await rejection(
        resolve({ brokers: 'b:1', saslUser: 'a', saslMechanism: 'PLAIN' }, { env: { KFEED_SASL_PASSWORD: 'pw' } })
          .settings,
      ),
      'usage',
      'unknown SASL mechanism "plain"',
      { hint: 'use scram-sha-512 or scram-sha-256' },
    );
    // An empty answer is no password.
    const asked = resolve({ brokers: 'b:1', saslUser: 'dave' }, { env: { KFEED_SASL_PASSWORD: '' }, asked: '' });
    expectKfeedError(await rejection(asked.settings), 'config', 'no SASL password for dave', {
      hint: 'set KFEED_SASL_PASSWORD or run in a terminal to be asked',
    });
    expect(asked.questions).toEqual(['SASL password for dave']);
  });
});

describe('IAM from a profile', () => {
  const env = { AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE0000WXYZ', AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIsecretEXAMPLE' };
  const msk: Profile = {
    brokers: ['b-1.feed.abc123.c2.kafka.eu-west-1.amazonaws.com:9098'],
    security: 'sasl_ssl',
    auth: 'iam',
    region: 'eu-west-1',
  };

  it('a profile for IAM over plaintext stays plaintext (it once got TLS silently)', async () => {
    const plain: Profile = { ...msk, security: 'sasl_plaintext' };
    const settings = await resolve({}, { profiles: { plain }, defaultProfile: 'plain', env }).settings;
    expect([settings.security, settings.tls]).toEqual(['sasl_plaintext', undefined]);
  });

  it('takes --auth iam and the region from the profile, and says so', async () => {
    const settings = await resolve({}, { profiles: { msk }, env }).settings;
    expect(settings).toMatchObject({
      security: 'sasl_ssl',
      origin: { auth: 'profile msk', region: 'profile msk' },
      iam: { region: 'eu-west-1', regionOrigin: 'profile msk', credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID } },
      profileName: 'msk',
    });
    expect(settings.tls).toEqual({});
    expect(settings.sasl).toBeUndefined();
  });

  it('a --region flag beats the profile region, and its brokers are checked against it', async () => {
    const flagged = await resolve({ region: 'eu-west-1' }, { profiles: { msk: { ...msk, region: 'us-east-1' } }, env })
      .settings;
    expect([flagged.iam?.region, flagged.origin.region]).toEqual(['eu-west-1', '--region']);
    expectKfeedError(
      await rejection(resolve({ region: 'us-east-1' }, { profiles: { msk }, env }).settings),
      'config',
      "region us-east-1 (from --region) is not the cluster's region eu-west-1",
      { hint: 'IAM tokens are signed for one region: pass --region eu-west-1' },
    );
  });

  it('IAM with a SASL user from the flag names the flag', async () => {
    expectKfeedError(
      await rejection(resolve({ saslUser: 'alice' }, { profiles: { msk }, env }).settings),
      'usage',
      '--auth iam and the SASL user alice (from --sasl-user) exclude each other',
      { hint: 'IAM uses AWS credentials: drop the SASL user' },
    );
  });
});

describe('client certificate files', () => {
  it('a certificate without its key says to pass both', async () => {
    const cwd = folder({ 'cert.pem': 'x' });
    expectKfeedError(
      await rejection(resolve({ brokers: 'b:1', cert: 'cert.pem' }, { cwd }).settings),
      'config',
      `certificate ${path.join(cwd, 'cert.pem')} given without its key`,
      { hint: 'pass both --cert and --key (or neither)' },
    );
    // The working folder's key alone is no pair either.
    const legacy = folder({ [LEGACY_FILES.key]: 'x' });
    expectKfeedError(
      await rejection(resolve({ brokers: 'b:1' }, { cwd: legacy }).settings),
      'config',
      `key ${path.join(legacy, LEGACY_FILES.key)} given without its certificate`,
      { hint: 'pass both --cert and --key (or neither)' },
    );
  });

  it('a missing certificate or key file is named as which one it is', async () => {
    const cwd = folder({ 'cert.pem': 'x', 'key.pem': 'x' });
    expectKfeedError(
      await rejection(resolve({ brokers: 'b:1', cert: 'none.pem', key: 'key.pem' }, { cwd }).settings),
      'config',
      `certificate ${path.join(cwd, 'none.pem')} does not exist`,
      { hint: 'check the path' },
    );
    expectKfeedError(
      await rejection(resolve({ brokers: 'b:1', cert: 'cert.pem', key: 'none.pem' }, { cwd }).settings),
      'config',
      `key ${path.join(cwd, 'none.pem')} does not exist`,
      { hint: 'check the path' },
    );
  });

  it('an encrypted key with no password (empty PK_PASSWORD, empty answer) says where one can come from', async () => {
    const cwd = folder({ 'cert.pem': 'x', 'key.pem': '-----BEGIN ENCRYPTED PRIVATE KEY-----\nAA==\n' });
    const run = resolve(
      { brokers: 'b:1', cert: 'cert.pem', key: 'key.pem' },
      { cwd, env: { PK_PASSWORD: '' }, asked: '' },
    );
    expectKfeedError(
      await rejection(run.settings),
      'config',
      `key ${path.join(cwd, 'key.pem')} is encrypted and no password was given`,
      { hint: 'set PK_PASSWORD or run in a terminal to be asked' },
    );
    expect(run.questions).toEqual([`Password for ${path.join(cwd, 'key.pem')}`]);
  });
});

describe('an identity found in the working folder', () => {
  it("is named only when the certificate came from the working folder's client_cert.pem", () => {
    expect(
      identityFromWorkingFolder({
        origin: { cert: LEGACY_FILES.cert },
        files: { cert: '/home/sub/client_cert.pem' },
      }),
    ).toBe('connected as /home/sub/client_cert.pem, found in the working folder');
    // Without the file list, the file's own name.
    expect(identityFromWorkingFolder({ origin: { cert: LEGACY_FILES.cert } })).toBe(
      'connected as client_cert.pem, found in the working folder',
    );
    for (const origin of [{ cert: '--cert' }, { cert: 'profile dev' }, {}] as Array<Record<string, string>>) {
      expect(identityFromWorkingFolder({ origin, files: { cert: '/x/client_cert.pem' } })).toBeUndefined();
    }
    expect(identityFromWorkingFolder({})).toBeUndefined();
  });
});

describe('broker list errors', () => {
  it('say how to write a broker list', () => {
    const hint = 'write brokers as host:port[,host:port...]';
    expectKfeedError(() => parseBrokerList('a:b'), 'usage', '"a:b" is not a broker address', { hint });
    expectKfeedError(() => parseBrokerList(','), 'usage', 'the broker list is empty', { hint });
  });
});
