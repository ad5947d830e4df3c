import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseBrokerList } from '../../src/config/connection.js';
import { isEncryptedPem } from '../../src/certs/keys.js';
import { tempDir } from '../helpers/env.js';
import { expectKfeedError } from '../helpers/assert.js';
import { resolveWith } from '../helpers/resolve-connection.js';

/** A client certificate and its key (PEM), signed by itself: enough for the resolver's checks. */
function clientPair(): { cert: string; key: string; keyObject: crypto.KeyObject } {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 1024 });
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  const forgeKey = forge.pki.privateKeyFromPem(key) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e);
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.UTC(2025, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2030, 0, 1));
  cert.setSubject([{ shortName: 'CN', value: 'client' }]);
  cert.setIssuer([{ shortName: 'CN', value: 'client' }]);
  cert.sign(forgeKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key, keyObject: privateKey };
}

describe('the connection resolver: flags > environment > profile', () => {
  let pair: ReturnType<typeof clientPair>;
  let files: string;
  beforeAll(() => {
    pair = clientPair();
    files = tempDir('kfeed-resolver-');
    fs.writeFileSync(path.join(files, 'ca.pem'), pair.cert);
    fs.writeFileSync(path.join(files, 'cert.pem'), pair.cert);
    fs.writeFileSync(path.join(files, 'key.pem'), pair.key);
    const encrypted = pair.keyObject.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string;
    fs.writeFileSync(path.join(files, 'encrypted.pem'), encrypted);
  });

  const resolve = resolveWith;

  it('takes brokers from --brokers, then TLSBROKERS, then the profile, and says which', async () => {
    const profiles = { dev: { brokers: ['p:1'], security: 'plaintext' as const } };
    const both = await resolve({ brokers: 'f:1,f:2' }, { env: { TLSBROKERS: 'e:1' }, profiles }).settings;
    expect([both.brokers, both.origin.brokers, both.security]).toEqual([['f:1', 'f:2'], '--brokers', 'ssl']);
    const env = await resolve({}, { env: { TLSBROKERS: 'e:1 e:2' }, profiles }).settings;
    expect([env.brokers, env.origin.brokers, env.security]).toEqual([['e:1', 'e:2'], 'TLSBROKERS', 'ssl']);
    const profile = await resolve({}, { profiles }).settings;
    expect([profile.brokers, profile.origin.brokers, profile.security, profile.profileName]).toEqual([
      ['p:1'],
      'profile dev',
      'plaintext',
      'dev',
    ]);
    expect(profile.tls).toBeUndefined();
    const empty = await resolve({ brokers: '' }, { env: { TLSBROKERS: 'e:1' } }).settings;
    expect(empty.origin.brokers).toBe('TLSBROKERS');
  });

  it('a named profile must exist; a stale default is ignored; no brokers at all is a config error', async () => {
    const profiles = { dev: { brokers: ['p:1'] }, prod: { brokers: ['q:1'] } };
    expect((await resolve({ profile: 'prod' }, { profiles, defaultProfile: 'dev' }).settings).brokers).toEqual(['q:1']);
    expect(
      (await resolve({}, { profiles, defaultProfile: 'dev', env: { KFEED_PROFILE: 'prod' } }).settings).brokers,
    ).toEqual(['q:1']);
    await expect(resolve({ profile: 'nope' }, { profiles }).settings).rejects.toMatchObject({
      kind: 'config',
      message: expect.stringMatching(/no profile named "nope"/),
    });
    await expect(resolve({}, { profiles, env: { KFEED_PROFILE: 'gone' } }).settings).rejects.toMatchObject({
      message: expect.stringMatching(/no profile named "gone"/),
    });
    await expect(resolve({}).settings).rejects.toMatchObject({ kind: 'config', message: 'no brokers given' });
    await expect(resolve({}, { profiles: { empty: { brokers: [] } } }).settings).rejects.toMatchObject({
      message: 'no brokers given',
    });
    await expect(
      resolve({}, { profiles: { odd: { brokers: ['p:1'], security: 'tls' as never } } }).settings,
    ).rejects.toMatchObject({
      kind: 'config',
      message: 'profile odd has an unknown security protocol "tls"',
    });
  });

  it("the profile's security applies only to the profile's brokers", async () => {
    const profiles = { dev: { brokers: ['p:1'], security: 'plaintext' as const } };
    expect((await resolve({ brokers: 'f:1' }, { profiles }).settings).security).toBe('ssl');
    expect(await resolve({ plaintext: true }, { profiles: { s: { brokers: ['p:1'] } } }).settings).toMatchObject({
      security: 'plaintext',
      origin: { security: '--plaintext' },
    });
  });

  it('reads the legacy files of the working folder, flags relative to it, and the profile files last', async () => {
    const cwd = tempDir('kfeed-legacy-');
    fs.copyFileSync(path.join(files, 'cert.pem'), path.join(cwd, 'client_cert.pem'));
    fs.copyFileSync(path.join(files, 'key.pem'), path.join(cwd, 'private_key.pem'));
    fs.copyFileSync(path.join(files, 'ca.pem'), path.join(cwd, 'truststore.pem'));
    const legacy = await resolve({ brokers: 'b:1' }, { cwd }).settings;
    expect(legacy.files).toEqual({
      ca: path.join(cwd, 'truststore.pem'),
      cert: path.join(cwd, 'client_cert.pem'),
      key: path.join(cwd, 'private_key.pem'),
    });
    expect(legacy.origin).toMatchObject({ ca: 'truststore.pem', cert: 'client_cert.pem', key: 'private_key.pem' });
    expect(legacy.tls).toEqual({ ca: pair.cert, cert: pair.cert, key: pair.key });

    const relative = await resolve({ brokers: 'b:1', ca: 'ca.pem', cert: 'cert.pem', key: 'key.pem' }, { cwd: files })
      .settings;
    expect(relative.files).toEqual({
      ca: path.join(files, 'ca.pem'),
      cert: path.join(files, 'cert.pem'),
      key: path.join(files, 'key.pem'),
    });
    expect(relative.origin).toMatchObject({ ca: '--ca', cert: '--cert', key: '--key' });

    const profile = {
      brokers: ['p:1'],
      ca: path.join(files, 'ca.pem'),
      cert: path.join(files, 'cert.pem'),
      key: path.join(files, 'key.pem'),
    };
    const fromProfile = await resolve({}, { profiles: { dev: profile } }).settings;
    expect(fromProfile.files).toEqual({ ca: profile.ca, cert: profile.cert, key: profile.key });
    expect(fromProfile.origin).toMatchObject({ ca: 'profile dev', cert: 'profile dev', key: 'profile dev' });
  });

  it('a certificate without its key (or the reverse) and a missing file are config errors', async () => {
    await expect(resolve({ brokers: 'b:1', cert: 'cert.pem' }, { cwd: files }).settings).rejects.toMatchObject({
      kind: 'config',
      message: `certificate ${path.join(files, 'cert.pem')} given without its key`,
    });
    await expect(resolve({ brokers: 'b:1', key: 'key.pem' }, { cwd: files }).settings).rejects.toMatchObject({
      message: `key ${path.join(files, 'key.pem')} given without its certificate`,
    });
    await expect(resolve({ brokers: 'b:1', ca: 'none.pem' }, { cwd: files }).settings).rejects.toMatchObject({
      message: `CA file ${path.join(files, 'none.pem')} does not exist`,
    });
  });

  it('an encrypted key takes PK_PASSWORD, else asks; neither is a config error', async () => {
    const flags = { brokers: 'b:1', cert: 'cert.pem', key: 'encrypted.pem' };
    const fromEnv = resolve(flags, { cwd: files, env: { PK_PASSWORD: 'secret' }, asked: 'wrong' });
    expect((await fromEnv.settings).tls?.passphrase).toBe('secret');
    expect(fromEnv.questions).toEqual([]);
    const asked = resolve(flags, { cwd: files, asked: 'secret' });
    expect((await asked.settings).tls?.passphrase).toBe('secret');
    expect(asked.questions).toEqual([`Password for ${path.join(files, 'encrypted.pem')}`]);
    await expect(resolve(flags, { cwd: files }).settings).rejects.toMatchObject({
      kind: 'config',
      message: `key ${path.join(files, 'encrypted.pem')} is encrypted and no password was given`,
    });
    const plain = resolve(
      { brokers: 'b:1', cert: 'cert.pem', key: 'key.pem' },
      { cwd: files, env: { PK_PASSWORD: 'x' } },
    );
    expect((await plain.settings).tls?.passphrase).toBeUndefined();
  });

  it('IAM: SASL over TLS (or plaintext with --plaintext), the region and credential source named, never with a SASL user', async () => {
    const env = {
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE0000WXYZ',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMIsecretEXAMPLE',
    };
    const iam = await resolve({ brokers: 'b:9098', auth: 'iam' }, { env }).settings;
    expect([iam.security, iam.origin.auth, iam.iam?.region, iam.origin.region]).toEqual([
      'sasl_ssl',
      '--auth',
      'eu-west-1',
      'AWS_REGION',
    ]);
    expect(iam.origin.credentials).toMatch(/^environment AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY/);
    expect(JSON.stringify(iam.origin)).not.toContain(env.AWS_SECRET_ACCESS_KEY); // what --verbose and profile show print
    expect(iam.sasl).toBeUndefined();
    const plain = await resolve({ brokers: 'b:9098', plaintext: true }, { env: { ...env, KFEED_AUTH: 'iam' } })
      .settings;
    expect([plain.security, plain.origin.auth]).toEqual(['sasl_plaintext', 'KFEED_AUTH']);
    await expect(
      resolve({ brokers: 'b:9098', auth: 'iam' }, { env: { ...env, KFEED_SASL_USER: 'alice' } }).settings,
    ).rejects.toMatchObject({
      kind: 'usage',
      message: '--auth iam and the SASL user alice (from KFEED_SASL_USER) exclude each other',
      hint: 'IAM uses AWS credentials: drop the SASL user',
    });
    // Without IAM nothing of AWS is looked at or named.
    const tls = await resolve({ brokers: 'b:9094' }, { env }).settings;
    expect([tls.security, tls.iam, tls.origin.region, tls.origin.credentials]).toEqual([
      'ssl',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('SASL over TLS takes a client certificate only from flags, never from the working folder', async () => {
    const legacy = tempDir('kfeed-legacy-');
    fs.writeFileSync(path.join(legacy, 'client_cert.pem'), pair.cert);
    fs.writeFileSync(path.join(legacy, 'private_key.pem'), pair.key);
    const env = { KFEED_SASL_PASSWORD: 'pw' };
    const sasl = await resolve({ brokers: 'b:1', saslUser: 'alice' }, { env, cwd: legacy }).settings;
    expect([sasl.security, sasl.files.cert, sasl.files.key, sasl.tls?.cert]).toEqual([
      'sasl_ssl',
      undefined,
      undefined,
      undefined,
    ]);
    const mtls = await resolve({ brokers: 'b:1' }, { cwd: legacy }).settings;
    expect([mtls.origin.cert, mtls.origin.key]).toEqual(['client_cert.pem', 'private_key.pem']);
    const both = await resolve(
      { brokers: 'b:1', saslUser: 'alice', cert: 'cert.pem', key: 'key.pem' },
      { env, cwd: files },
    ).settings;
    expect([both.files.cert, both.tls?.cert]).toEqual([path.join(files, 'cert.pem'), pair.cert]);
  });

  it("a key that is not the certificate's, or not a key at all, or a certificate that is not one, is named", async () => {
    const other = clientPair();
    const dir = tempDir('kfeed-pairs-');
    fs.writeFileSync(path.join(dir, 'other-key.pem'), other.key);
    fs.writeFileSync(path.join(dir, 'junk.pem'), 'not a key\n');
    fs.writeFileSync(path.join(dir, 'cert.pem'), pair.cert);
    fs.writeFileSync(path.join(dir, 'encrypted.pem'), fs.readFileSync(path.join(files, 'encrypted.pem')));
    fs.writeFileSync(path.join(dir, 'key.pem'), pair.key);
    const at = (f: string) => path.join(dir, f);
    await expect(
      resolve({ brokers: 'b:1', cert: 'cert.pem', key: 'other-key.pem' }, { cwd: dir }).settings,
    ).rejects.toMatchObject({
      kind: 'config',
      message: `certificate ${at('cert.pem')} does not belong to key ${at('other-key.pem')}`,
      hint: 'pass the key the certificate was issued for',
    });
    await expect(
      resolve({ brokers: 'b:1', cert: 'cert.pem', key: 'junk.pem' }, { cwd: dir }).settings,
    ).rejects.toMatchObject({
      kind: 'config',
      message: `the private key ${at('junk.pem')} could not be read: not a PEM private key`,
      hint: 'check --key',
    });
    await expect(
      resolve({ brokers: 'b:1', cert: 'cert.pem', key: 'encrypted.pem' }, { cwd: dir, env: { PK_PASSWORD: 'wrong' } })
        .settings,
    ).rejects.toMatchObject({
      message: `the private key ${at('encrypted.pem')} could not be read: wrong password, or not a PEM private key`,
      hint: 'check PK_PASSWORD and --key',
    });
    await expect(
      resolve({ brokers: 'b:1', cert: 'junk.pem', key: 'key.pem' }, { cwd: dir }).settings,
    ).rejects.toMatchObject({
      kind: 'config',
      message: `${at('junk.pem')} is not a PEM certificate`,
      hint: 'check --cert',
    });
  });

  it('SASL: the user from a flag, the environment or the profile; mechanism and password checked', async () => {
    const plaintext = resolve(
      { brokers: 'b:1', plaintext: true, saslUser: 'alice' },
      { env: { KFEED_SASL_PASSWORD: 'pw' } },
    );
    expect(await plaintext.settings).toMatchObject({
      security: 'sasl_plaintext',
      sasl: { mechanism: 'scram-sha-512', username: 'alice', password: 'pw' },
    });
    expect(plaintext.questions).toEqual([]);
    const overTls = resolve(
      { brokers: 'b:1', saslMechanism: 'SCRAM-SHA-256' },
      { env: { KFEED_SASL_USER: 'bob' }, asked: 'pw2' },
    );
    const tls = await overTls.settings;
    expect(tls).toMatchObject({
      security: 'sasl_ssl',
      origin: { saslUser: 'KFEED_SASL_USER' },
      sasl: { mechanism: 'scram-sha-256', username: 'bob', password: 'pw2' },
    });
    expect(tls.files).toEqual({ ca: undefined, cert: undefined, key: undefined });
    expect(overTls.questions).toEqual(['SASL password for bob']);
    const profile = {
      brokers: ['p:1'],
      security: 'sasl_ssl' as const,
      saslUser: 'carol',
      saslMechanism: 'scram-sha-256' as const,
    };
    expect(await resolve({}, { profiles: { s: profile }, env: { KFEED_SASL_PASSWORD: 'pw' } }).settings).toMatchObject({
      security: 'sasl_ssl',
      sasl: { username: 'carol', mechanism: 'scram-sha-256' },
    });
    await expect(
      resolve({ brokers: 'b:1', saslUser: 'a', saslMechanism: 'plain' }, { env: { KFEED_SASL_PASSWORD: 'pw' } })
        .settings,
    ).rejects.toMatchObject({
      kind: 'usage',
      message: 'unknown SASL mechanism "plain"',
    });
    await expect(resolve({ brokers: 'b:1', saslUser: 'dave' }).settings).rejects.toMatchObject({
      kind: 'config',
      message: 'no SASL password for dave',
    });
  });
});

describe('broker lists and encrypted keys', () => {
  it('accepts host:port lists in the MSK bootstrap form, commas or spaces, IPv6 in brackets', () => {
    expect(parseBrokerList('b-1.x.kafka.us-east-1.amazonaws.com:9094,b-2.x:9094')).toEqual([
      'b-1.x.kafka.us-east-1.amazonaws.com:9094',
      'b-2.x:9094',
    ]);
    expect(parseBrokerList(' a:1 ,\tb:65535\n')).toEqual(['a:1', 'b:65535']);
    expect(parseBrokerList(['[::1]:9092', ' c:3 ', ''])).toEqual(['[::1]:9092', 'c:3']);
  });

  it('refuses entries that are not host:port, ports out of range, and an empty list', () => {
    for (const entry of ['a', 'a:', ':1', 'a:0', 'a:65536', 'a:123456', 'a:b', '::1:9092', 'a:1:2']) {
      expectKfeedError(() => parseBrokerList(entry), 'usage', `"${entry}" is not a broker address`);
    }
    expectKfeedError(() => parseBrokerList(' , '), 'usage', 'the broker list is empty');
    expectKfeedError(() => parseBrokerList([]), 'usage', 'the broker list is empty');
  });

  it('knows an encrypted key, PKCS#8 or the old PEM form', () => {
    expect(isEncryptedPem('-----BEGIN ENCRYPTED PRIVATE KEY-----\n')).toBe(true);
    expect(isEncryptedPem('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00\n')).toBe(
      true,
    );
    expect(isEncryptedPem('-----BEGIN RSA PRIVATE KEY-----\nProc-Type:4,ENCRYPTED\n')).toBe(true);
    expect(isEncryptedPem('-----BEGIN PRIVATE KEY-----\n')).toBe(false);
    expect(isEncryptedPem('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,MIC-ONLY\n')).toBe(false);
  });
});
