import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kfeed, kfeedBinary } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';

/** Profiles, the flags > environment > profile resolver, and connection errors. */
describe('profiles', () => {
  const config = tempDir('kfeed-profiles-');
  const env = { XDG_CONFIG_HOME: config };

  it('adds, lists, shows, selects and removes profiles', async () => {
    const cluster = sharedCluster();
    // Relative files are kept as absolute paths; they must exist and be what they claim.
    const srv = tempDir('kfeed-srv-');
    fs.copyFileSync(cluster.ca, path.join(srv, 'ca.pem'));
    fs.copyFileSync(cluster.adminCert, path.join(srv, 'c.pem'));
    fs.copyFileSync(cluster.adminKey, path.join(srv, 'k.pem'));
    const add = await kfeed(
      [
        'profile',
        'add',
        'prod',
        '--brokers',
        'b-1.example.com:9094,b-2.example.com:9094',
        '--ca',
        'ca.pem',
        '--cert',
        'c.pem',
        '--key',
        'k.pem',
        '--json',
      ],
      { env, cwd: srv },
    );
    expect(add.code).toBe(0);
    expect(JSON.parse(add.stdout)).toMatchObject({ name: 'prod', isDefault: true });
    const add2 = await kfeed(
      [
        'profile',
        'add',
        'dev',
        '--brokers',
        cluster.tlsBrokers.join(','),
        '--ca',
        cluster.ca,
        '--cert',
        cluster.adminCert,
        '--key',
        cluster.adminKey,
        '--default',
      ],
      { env },
    );
    expect(add2.code).toBe(0);
    const list = await kfeed(['profile', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout).map((p: { name: string; isDefault: boolean }) => [p.name, p.isDefault])).toEqual([
      ['prod', false],
      ['dev', true],
    ]);
    const show = await kfeed(['profile', 'show', 'prod', '--json'], { env });
    // One name per fact: `isDefault`, in list, show and add alike.
    expect(JSON.parse(show.stdout)).toEqual({
      name: 'prod',
      isDefault: false,
      brokers: ['b-1.example.com:9094', 'b-2.example.com:9094'],
      security: 'ssl',
      ca: path.join(srv, 'ca.pem'),
      cert: path.join(srv, 'c.pem'),
      key: path.join(srv, 'k.pem'),
    });
    // The default profile reaches the cluster with no flags at all.
    expect((await kfeed(['list-topics', '--no-acls'], { env })).code).toBe(0);
    expect((await kfeed(['profile', 'use', 'prod'], { env })).code).toBe(0);
    expect(JSON.parse((await kfeed(['profile', 'show', '--json'], { env })).stdout).name).toBe('prod');
    expect((await kfeed(['profile', 'remove', 'prod'], { env })).code).toBe(0);
    const missing = await kfeed(['profile', 'use', 'prod'], { env });
    expectFailure(missing, 3, /no profile named "prod" — known profiles: dev/);
    expect(fs.statSync(path.join(config, 'kfeed', 'profiles.json')).mode & 0o777).toBe(0o600);
  });

  it('rejects bad profile input', async () => {
    expect((await kfeed(['profile', 'add', 'bad/name', '--brokers', 'a:1'], { env })).stderr).toMatch(
      /not a valid profile name/,
    );
    const noKey = await kfeed(['profile', 'add', 'x', '--brokers', 'a:1', '--cert', 'c.pem'], { env });
    expectFailure(noKey, 2, /needs its key/);
    const badBroker = await kfeed(['profile', 'add', 'x', '--brokers', 'a:99999'], { env });
    expect(badBroker.code).toBe(2);
    const cluster = sharedCluster();
    const cwd = tempDir();
    fs.writeFileSync(path.join(cwd, 'not-a-cert.pem'), 'hello\n');
    const cases: Array<[string[], number, RegExp]> = [
      [['--ca', 'missing.pem'], 3, /CA file .*missing\.pem does not exist/],
      [['--ca', 'not-a-cert.pem'], 2, /CA file .*not-a-cert\.pem holds no certificate/],
      [['--cert', 'missing.pem', '--key', cluster.adminKey], 3, /certificate .*missing\.pem does not exist/],
      [['--cert', cluster.adminCert, '--key', 'not-a-cert.pem'], 2, /key .*not-a-cert\.pem is not a PEM private key/],
      [['--cert', cluster.ca, '--key', cluster.adminKey], 3, /certificate .* does not belong to key/],
    ];
    for (const [args, code, message] of cases) {
      expectFailure(await kfeed(['profile', 'add', 'x', '--brokers', 'a:1', ...args], { env, cwd }), code, message);
    }
    expect(
      JSON.parse((await kfeed(['profile', 'list', '--json'], { env })).stdout).map((p: { name: string }) => p.name),
    ).not.toContain('x');
  });
});

describe('resolver: flags > environment > profile', () => {
  const cluster = sharedCluster();

  it('takes TLSBROKERS and the legacy files of the working folder over the profile, and flags over both', async () => {
    const cwd = tempDir('kfeed-legacy-');
    fs.copyFileSync(cluster.ca, path.join(cwd, 'truststore.pem'));
    fs.copyFileSync(cluster.adminCert, path.join(cwd, 'client_cert.pem'));
    fs.copyFileSync(cluster.adminKey, path.join(cwd, 'private_key.pem'));
    const resolved = await kfeed(['profile', 'show', '--resolved', '--json'], {
      cwd,
      env: { TLSBROKERS: 'b-1.example.com:9094' },
    });
    expect(resolved.code).toBe(0);
    expect(JSON.parse(resolved.stdout)).toMatchObject({
      brokers: ['b-1.example.com:9094'],
      files: {
        ca: path.join(cwd, 'truststore.pem'),
        cert: path.join(cwd, 'client_cert.pem'),
        key: path.join(cwd, 'private_key.pem'),
      },
      origin: { brokers: 'TLSBROKERS', ca: 'truststore.pem', cert: 'client_cert.pem', key: 'private_key.pem' },
    });
    const flags = await kfeed(
      ['profile', 'show', '--resolved', '--json', '--brokers', 'flag.example.com:9094', '--ca', cluster.ca],
      { cwd, env: { TLSBROKERS: 'b-1.example.com:9094' } },
    );
    expect(JSON.parse(flags.stdout)).toMatchObject({
      brokers: ['flag.example.com:9094'],
      files: { ca: cluster.ca },
      origin: { brokers: '--brokers', ca: '--ca', cert: 'client_cert.pem' },
    });
    // A relative file named by a flag is read from the command's folder.
    const relative = await kfeed(
      [
        'profile',
        'show',
        '--resolved',
        '--json',
        '--ca',
        'truststore.pem',
        '--cert',
        'client_cert.pem',
        '--key',
        'private_key.pem',
      ],
      { cwd, env: { TLSBROKERS: 'b-1.example.com:9094' } },
    );
    expect(JSON.parse(relative.stdout)).toMatchObject({
      files: { ca: path.join(cwd, 'truststore.pem'), cert: path.join(cwd, 'client_cert.pem') },
      origin: { ca: '--ca', cert: '--cert', key: '--key' },
    });
    // With nothing in the folder and no environment, the default profile decides.
    const profileOnly = await kfeed(['profile', 'show', '--resolved', '--json'], { cwd: tempDir() });
    expect(JSON.parse(profileOnly.stdout)).toMatchObject({
      brokers: cluster.tlsBrokers,
      origin: { brokers: `profile ${cluster.profile}`, cert: `profile ${cluster.profile}` },
    });
    // Brokers of another cluster (flag or TLSBROKERS) never take the default profile's CA, certificate or user...
    const elsewhere = await kfeed(['profile', 'show', '--resolved', '--json', '--brokers', 'b-1.example.com:9094'], {
      cwd: tempDir(),
    });
    expect(JSON.parse(elsewhere.stdout)).toEqual({
      profile: null,
      brokers: ['b-1.example.com:9094'],
      security: 'ssl',
      files: {},
      saslUser: null,
      keyEncrypted: false,
      iam: null,
      origin: { brokers: '--brokers' },
    });
    // ...unless the profile is named: then its settings are wanted with these brokers.
    const named = await kfeed(
      ['profile', 'show', '--resolved', '--json', '--profile', cluster.profile, '--brokers', 'b-1.example.com:9094'],
      { cwd: tempDir() },
    );
    expect(JSON.parse(named.stdout)).toMatchObject({
      profile: cluster.profile,
      files: { ca: cluster.ca },
      origin: { brokers: '--brokers', ca: `profile ${cluster.profile}` },
    });
    // The old tools' setup works as it was: env + files in the folder, no profile, no flags.
    const legacy = await kfeed(['list-topics', '--no-acls'], {
      cwd,
      env: { TLSBROKERS: cluster.tlsBrokers.join(','), XDG_CONFIG_HOME: tempDir() },
    });
    expect(legacy.stderr).toBe('');
    expect(legacy.code).toBe(0);
  });

  it('reads an encrypted key with PK_PASSWORD, and says so when the password is missing or wrong', async () => {
    const dir = tempDir('kfeed-enc-');
    const encrypted = crypto
      .createPrivateKey(fs.readFileSync(cluster.adminKey))
      .export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'sekret-pw' });
    const keyFile = path.join(dir, 'key.pem');
    fs.writeFileSync(keyFile, encrypted, { mode: 0o600 });
    const flags = ['list-topics', '--no-acls', '--key', keyFile, '--cert', cluster.adminCert];
    const ok = await kfeed(flags, { env: { PK_PASSWORD: 'sekret-pw' } });
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const missing = await kfeed(flags);
    expectFailure(missing, 3, /is encrypted and no password was given — set PK_PASSWORD/);
    const wrong = await kfeed(flags, { env: { PK_PASSWORD: 'nope' } });
    expectFailure(wrong, 3, /private key .* could not be read: wrong password/);
    const otherKey = crypto
      .generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' });
    fs.writeFileSync(path.join(dir, 'other.pem'), otherKey, { mode: 0o600 });
    const mismatch = await kfeed(['list-topics', '--key', path.join(dir, 'other.pem'), '--cert', cluster.adminCert]);
    expectFailure(mismatch, 3, /does not belong to key/);
    expect(wrong.stderr).not.toContain('nope');
  });

  it('reports a missing file, a key without certificate, and no brokers at all', async () => {
    const empty = { XDG_CONFIG_HOME: tempDir() };
    const cwd = tempDir();
    const noBrokers = await kfeed(['list-topics'], { env: empty, cwd });
    expectFailure(noBrokers, 3, /no brokers given — pass --brokers/);
    const noFile = await kfeed(['list-topics', '--ca', '/nonexistent/ca.pem'], { env: empty, cwd: tempDir() });
    expectFailure(noFile, 3, /no brokers given/);
    const noCa = await kfeed(['list-topics', '--brokers', 'localhost:1', '--ca', '/nonexistent/ca.pem'], {
      env: empty,
      cwd,
    });
    expectFailure(noCa, 3, /CA file \/nonexistent\/ca.pem does not exist/);
    const onlyKey = await kfeed(['list-topics', '--brokers', 'localhost:1', '--key', cluster.adminKey], {
      env: empty,
      cwd,
    });
    expectFailure(onlyKey, 3, /given without its certificate/);
  });
});

describe('connection errors are one line with the right exit code', () => {
  const cluster = sharedCluster();
  const noProfile = { XDG_CONFIG_HOME: tempDir() };
  const servers: net.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  const listen = async (server: net.Server, host = '127.0.0.1') => {
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, host, resolve));
    return (server.address() as net.AddressInfo).port;
  };

  it('unknown CA: the system roots do not trust the local CA', async () => {
    const result = await kfeed(
      ['list-topics', '--brokers', cluster.tlsBrokers[0], '--cert', cluster.adminCert, '--key', cluster.adminKey],
      { env: noProfile, cwd: tempDir() },
    );
    expectFailure(
      result,
      5,
      /TLS handshake with .* failed: the broker certificate .*(unknown CA|not trusted) — pass the CA/,
    );
  });

  it('no client certificate: the mTLS listener refuses the handshake', async () => {
    const result = await kfeed(['list-topics', '--brokers', cluster.tlsBrokers[0], '--ca', cluster.ca], {
      env: noProfile,
      cwd: tempDir(),
    });
    expectFailure(result, 5, /refused this client's certificate|closed the connection/);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('host name mismatch: the broker certificate does not name the address used', async () => {
    // A loopback alias the certificate does not list, forwarded to the broker.
    const [host, port] = cluster.tlsBrokers[0].split(':');
    const forward = net.createServer((socket) => {
      const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host);
      socket.pipe(upstream).pipe(socket);
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const aliasPort = await listen(forward, '127.0.0.2');
    const result = await kfeed(
      [
        'list-topics',
        '--brokers',
        `127.0.0.2:${aliasPort}`,
        '--ca',
        cluster.ca,
        '--cert',
        cluster.adminCert,
        '--key',
        cluster.adminKey,
      ],
      { env: noProfile, cwd: tempDir() },
    );
    expectFailure(result, 5, /does not name the host connected to — connect with the host name in the certificate/);
  });

  it('a silent address fails within seconds, not minutes', async () => {
    const blackHole = net.createServer(() => {}); // accepts, never answers
    const port = await listen(blackHole);
    const started = Date.now();
    const result = await kfeed(['list-topics', '--brokers', `127.0.0.1:${port}`, '--plaintext'], {
      env: noProfile,
      cwd: tempDir(),
    });
    expectFailure(result, 4, /cannot reach 127\.0\.0\.1:\d+: timed out|accepted the connection but did not answer/);
    expect(result.stderr).not.toMatch(/closed the connection/);
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  it('plaintext spoken to the TLS listener is explained', async () => {
    const result = await kfeed(['list-topics', '--brokers', cluster.tlsBrokers[0], '--plaintext'], {
      env: noProfile,
      cwd: tempDir(),
    });
    expect(result.code).toBe(4);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    // The hint people act on: the listener speaks TLS, so drop --plaintext.
    expect(result.stderr).toMatch(
      /^kfeed: the broker localhost:\d+ closed the connection — is this a TLS listener\? drop --plaintext\n$/,
    );
  });

  it('--debug adds the stack trace', async () => {
    const result = await kfeed(['list-topics', '--brokers', 'localhost:1', '--debug'], {
      env: noProfile,
      cwd: tempDir(),
    });
    expect(result.code).toBe(4);
    expect(result.stderr.split('\n').length).toBeGreaterThan(3);
    expect(result.stderr).toMatch(/KfeedError/);
  });
});

describe('the built binary', () => {
  it('prints help and version quickly and lists the commands', async () => {
    const version = await kfeedBinary(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toBe(
      JSON.parse(fs.readFileSync(path.resolve(import.meta.dirname, '../package.json'), 'utf8')).version,
    );
    const help = await kfeedBinary(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['local', 'profile', 'topic', 'create-topic', 'acl', 'cert', 'ca', 'msk'])
      expect(help.stdout).toContain(command);
    // Old names stay working but hidden (the registry test runs each of them).
    for (const hidden of ['list-topics', 'describe-topic', 'delete-topic', 'importcert'])
      expect(help.stdout).not.toMatch(new RegExp(`^\\s+${hidden}\\b`, 'm'));
    const sub = await kfeedBinary(['acl', 'grant', '--help']);
    expect(sub.stdout).toMatch(/--role <role>/);
  });

  it('talks to the cluster and exits with the error code on failure', async () => {
    const ok = await kfeedBinary(['list-topics', '--json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveProperty('topics');
    const bad = await kfeedBinary(['describe-topic', 'no-such-topic-here']);
    expect(bad.code).toBe(7);
    expect(bad.stderr).toBe('kfeed: topic no-such-topic-here does not exist — list topics with `kfeed list-topics`\n');
    const usage = await kfeedBinary(['create-topic']);
    expectFailure(usage, 2, /missing required argument 'name'/);
  });
});
