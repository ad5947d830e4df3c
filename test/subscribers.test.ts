import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { GetCertificateCommand, ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, listing } from './helpers/assert.js';
import { requireTool, tempDir } from './helpers/env.js';
import { runKafkaTool } from './helpers/kafka-tools.js';
import { kcat } from './helpers/kcat.js';
import { startMoto, type Moto } from './helpers/moto.js';
import { createPrivateCa, type TestPrivateCa } from './helpers/private-ca.js';
import { kfeed } from './helpers/run.js';

/**
 * The whole subscriber lifecycle on a cluster that requires ACLs, with the client's side
 * played by independent clients (kcat, Kafka's Java console consumer) that use only the
 * bundle's files and the key the client made itself.
 */
const CLUSTER = 'subscribers';

let moto: Moto;
let pca: TestPrivateCa;
let work: string;
let cluster: {
  tls: string[];
  ca: string;
  caDir: string;
  adminCert: string;
  adminKey: string;
};
let admin: string[];
/** kfeed as the provider's operator (the cluster's admin certificate); acl grant/revoke name theirs --admin-cert. */
const run = (args: string[], env: Record<string, string> = {}) => {
  const flags =
    args[0] === 'acl' && args[1] !== 'list'
      ? admin.map((f) => (f === '--cert' ? '--admin-cert' : f === '--key' ? '--admin-key' : f))
      : admin;
  return kfeed([...args, ...flags], { env: { ...moto.env, ...env }, cwd: work });
};
const suffix = Date.now().toString(36);
const quote = `quote-${suffix}`;
/** When the records of `quote` were produced (ms before and after kcat ran): the time lag's oracle. */
const producedBetween = [0, 0];
const trade = `trade-${suffix}`;

beforeAll(async () => {
  moto = await startMoto();
  pca = await createPrivateCa(moto.env, { commonName: 'subscribers test root CA' });
  work = tempDir('kfeed-subscribers-');
  fs.writeFileSync(path.join(work, 'pca-root.pem'), pca.certificatePem);
  const up = await kfeed([
    'local',
    'up',
    '--name',
    CLUSTER,
    '--require-acls',
    '--trust-ca',
    path.join(work, 'pca-root.pem'),
    '--no-profile',
    '--json',
  ]);
  if (up.code !== 0) throw new Error(`local up failed: ${up.stderr}`);
  const status = JSON.parse(up.stdout);
  cluster = {
    tls: status.bootstrap.tls,
    ca: status.files.ca,
    caDir: path.dirname(status.files.ca),
    adminCert: status.files.clientCert,
    adminKey: status.files.clientKey,
  };
  admin = [
    '--brokers',
    cluster.tls.join(','),
    '--ca',
    cluster.ca,
    '--cert',
    cluster.adminCert,
    '--key',
    cluster.adminKey,
  ];
  for (const topic of [quote, trade]) expect((await run(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
  // One key: all ten records in one partition, so "read 4" leaves a lag of exactly 6.
  const lines = Array.from({ length: 10 }, (_, i) => `AAPL:tick ${i}`).join('\n') + '\n';
  producedBetween[0] = Date.now();
  const produced = await kcat(
    cluster.tls,
    { ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey },
    ['-P', '-t', quote, '-K', ':'],
    { stdin: lines },
  );
  producedBetween[1] = Date.now();
  expect(produced.code, produced.stderr).toBe(0);
});

afterAll(async () => {
  await kfeed(['local', 'down', '--name', CLUSTER]);
  await moto?.stop();
});

/** The client side: a key and CSR made with kfeed makecsr, as a client in another account would. */
async function clientCsr(name: string, subject: string): Promise<{ dir: string; csr: string; key: string }> {
  const dir = path.join(work, `client-${name}`);
  const made = await kfeed(['makecsr', '--yes', '--subject', subject, '--out-dir', dir, '--force']);
  expect(made.code, made.stderr).toBe(0);
  return { dir, csr: path.join(dir, 'client_cert.csr'), key: path.join(dir, 'private_key.pem') };
}

/** kcat run from the bundle folder with only its kcat.conf (and the client's own key beside it). */
function kcatFromBundle(bundle: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const binary = requireTool('kcat', 'apt-get install kcat');
  return new Promise((resolve, reject) => {
    const child = spawn(binary, ['-F', 'kcat.conf', ...args], { cwd: bundle, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 137, stdout, stderr });
    });
  });
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON result, checked field by field below
async function listed(extra: string[] = []): Promise<{ code: number; body: any }> {
  const result = await run(['subscriber', 'list', '--removed', '--json', ...extra]);
  expect(result.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
  return { code: result.code, body: JSON.parse(result.stdout) };
}

describe('subscriber lifecycle (local CA)', () => {
  let bundle: string;
  let principal: string;

  it('add: certificate, exactly the consumer ACLs, a bundle and a registry record', async () => {
    const client = await clientCsr('one', 'CN=feed client one,O=Example Corp\\, Inc.,C=US');
    bundle = path.join(work, 'bundle-one');
    const added = await run([
      'subscriber',
      'add',
      'one',
      '--csr',
      client.csr,
      '--topics',
      `${quote},${trade}`,
      '--local-ca',
      cluster.caDir,
      '--out-dir',
      bundle,
      '--json',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const result = JSON.parse(added.stdout);
    principal = 'User:CN=feed client one,O=Example Corp\\, Inc.,C=US';
    expect(result.subscriber).toMatchObject({
      name: 'one',
      principal,
      role: 'consumer',
      topics: [quote, trade],
      groupPrefix: 'one-',
    });
    const acls = (
      result.aclsGranted as Array<{
        operation: string;
        resourceType: string;
        resourceName: string;
        patternType: string;
      }>
    )
      .map((a) => `${a.operation} ${a.resourceType} ${a.resourceName} ${a.patternType}`)
      .sort();
    expect(acls).toEqual(
      [
        `DESCRIBE TOPIC ${quote} LITERAL`,
        `DESCRIBE TOPIC ${trade} LITERAL`,
        'READ GROUP one- PREFIXED',
        `READ TOPIC ${quote} LITERAL`,
        `READ TOPIC ${trade} LITERAL`,
      ].sort(),
    );
    expect(listing(bundle)).toEqual([
      'README.md',
      'client.properties',
      'client_cert.pem',
      'kcat.conf',
      'kfeed-profile.json',
      'subscriber.json',
      'truststore.pem',
    ]);
    expect(fs.readFileSync(path.join(bundle, 'truststore.pem'), 'utf8')).toBe(fs.readFileSync(cluster.ca, 'utf8'));
    // The broker's own view: exactly those ACLs for the principal.
    const held = JSON.parse((await run(['acl', 'list', '--json'])).stdout) as Array<{ principal: string }>;
    expect(held.filter((a) => a.principal === principal)).toHaveLength(5);
  });

  it("the client reads the feed with only the bundle and its own key: kcat and Kafka's Java console consumer", async () => {
    fs.copyFileSync(path.join(work, 'client-one', 'private_key.pem'), path.join(bundle, 'private_key.pem'));
    const read = await kcatFromBundle(bundle, [
      '-C',
      '-G',
      'one-kcat',
      '-c',
      '4',
      '-o',
      'beginning',
      '-f',
      '%s\\n',
      quote,
    ]);
    expect(read.stderr).not.toMatch(/authoriz|SSL/i);
    expect(read.code).toBe(0);
    expect(read.stdout.trim().split('\n')).toHaveLength(4);
    // The bundle's profile settings with kfeed itself: reads 4 records and commits exactly those.
    const profile = JSON.parse(fs.readFileSync(path.join(bundle, 'kfeed-profile.json'), 'utf8'));
    const consumed = await kfeed(
      [
        'consume',
        quote,
        '-g',
        'one-kfeed',
        '--from-beginning',
        '-n',
        '4',
        '--brokers',
        profile.brokers.join(','),
        '--ca',
        profile.ca,
        '--cert',
        profile.cert,
        '--key',
        profile.key,
      ],
      { cwd: bundle },
    );
    expect(consumed.stderr).not.toMatch(/kfeed:/);
    expect(consumed.stdout.trim().split('\n')).toHaveLength(4);

    // A group outside the subscriber's prefix is refused: the group ACL is a prefix, not `*`.
    const foreign = await kcatFromBundle(bundle, ['-C', '-G', 'other-group', '-c', '1', '-o', 'beginning', quote]);
    expect(foreign.code).not.toBe(0);
    expect(foreign.stderr).toMatch(/authoriz/i);

    const readme = fs.readFileSync(path.join(bundle, 'README.md'), 'utf8');
    expect(readme).toContain('cat private_key.pem client_cert.pem > keystore.pem');
    fs.writeFileSync(
      path.join(bundle, 'keystore.pem'),
      fs.readFileSync(path.join(bundle, 'private_key.pem'), 'utf8') +
        fs.readFileSync(path.join(bundle, 'client_cert.pem'), 'utf8'),
      { mode: 0o600 },
    );
    // trade is empty: the console consumer joins its group (authorized), waits, and times out cleanly.
    const java = await runKafkaTool(
      { cluster: CLUSTER, brokers: cluster.tls, ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey },
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      ['--topic', trade, '--group', 'one-java', '--max-messages', '1', '--timeout-ms', '8000'],
      { configFlag: '--consumer.config', properties: 'client.properties', cwd: bundle },
    );
    expect(java.stderr).not.toMatch(/Authorization|SSLHandshake|AuthenticationException/);
    expect(java.stderr).toMatch(/Processed a total of 0 messages/);
  });

  it('list shows its groups and lag; show has per-partition lag and its ACLs', async () => {
    const { code, body } = await listed();
    expect(code).toBe(0);
    const one = body.subscribers.find((s: { name: string }) => s.name === 'one');
    expect(one).toMatchObject({ principal, role: 'consumer', state: 'active' });
    expect(one.groups.map((g: { group: string }) => g.group)).toEqual(
      expect.arrayContaining(['one-kcat', 'one-kfeed']),
    );
    // 10 records in quote, 4 read and committed by the group.
    const measured = Date.now();
    const kfeedGroup = one.groups.find((g: { group: string }) => g.group === 'one-kfeed');
    expect(kfeedGroup.lag).toBe(6);
    // The first unread record was written between producedBetween[0] and [1].
    expect(kfeedGroup.lagSeconds).toBeGreaterThanOrEqual(Math.floor((measured - producedBetween[1]) / 1000) - 1);
    expect(kfeedGroup.lagSeconds).toBeLessThanOrEqual(Math.ceil((measured - producedBetween[0]) / 1000) + 1);
    expect(one.lagSeconds).toBeGreaterThanOrEqual(kfeedGroup.lagSeconds);
    expect(one.certificate.serialNumber).toMatch(/^[0-9a-f]+$/);
    const shown = await run(['subscriber', 'show', 'one', '--json']);
    expect(shown.code).toBe(0);
    const details = JSON.parse(shown.stdout);
    expect(details.acls).toHaveLength(5);
    const rows = details.partitions.filter((p: { group: string }) => p.group === 'one-kfeed');
    expect(rows.reduce((sum: number, p: { lag: number }) => sum + p.lag, 0)).toBe(6);
  });

  it('renew: a new certificate for the same subject; a CSR with another subject is refused', async () => {
    const again = await clientCsr('one-renewed', 'CN=feed client one,O=Example Corp\\, Inc.,C=US');
    const renewed = await run([
      'subscriber',
      'renew',
      'one',
      '--csr',
      again.csr,
      '--local-ca',
      cluster.caDir,
      '--json',
    ]);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    const body = JSON.parse(renewed.stdout);
    expect(body.subscriber.certificates).toHaveLength(2);
    expect(fs.existsSync(path.join(again.dir, 'client_cert.pem'))).toBe(true);
    const other = await clientCsr('impostor', 'CN=someone else');
    expectFailure(
      await run(['subscriber', 'renew', 'one', '--csr', other.csr, '--local-ca', cluster.caDir]),
      2,
      /subject gives User:CN=someone else, but subscriber one is/,
    );
    expect(listing(other.dir)).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
  });

  it('remove: exactly its ACLs go, the client is refused, the record stays as removed', async () => {
    // An ACL of another principal on the same topic must survive.
    expect(
      (await run(['acl', 'grant', '--principal', 'User:CN=bystander', '--role', 'producer', '--topic', quote])).code,
    ).toBe(0);
    const removed = await run(['subscriber', 'remove', 'one', '--yes', '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout).aclsRemoved).toHaveLength(5);
    const held = JSON.parse((await run(['acl', 'list', '--json'])).stdout) as Array<{ principal: string }>;
    expect(held.filter((a) => a.principal === principal)).toEqual([]);
    expect(held.filter((a) => a.principal === 'User:CN=bystander')).toHaveLength(2);
    const refused = await kcatFromBundle(bundle, ['-C', '-G', 'one-kcat', '-c', '1', '-o', 'beginning', quote]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/authoriz/i);
    const { body } = await listed();
    expect(body.subscribers.find((s: { name: string }) => s.name === 'one')).toMatchObject({ state: 'removed' });
    expect(
      (await run(['acl', 'revoke', '--principal', 'User:CN=bystander', '--role', 'producer', '--topic', quote])).code,
    ).toBe(0);
  });

  it('reading the registry leaves no consumer group behind (no group is joined, nothing committed)', async () => {
    // Every command above read the registry; list and show read it once more.
    expect((await run(['subscriber', 'list', '--json'])).code).toBe(0);
    const ours = JSON.parse((await run(['group', 'list', '--json'])).stdout) as Array<{ group: string }>;
    // Kafka's own ConsumerGroupCommand --list, an independent view of the same groups.
    const theirs = await runKafkaTool(
      { cluster: CLUSTER, brokers: cluster.tls, ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey },
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      ['--list', '--timeout', '60000'],
    );
    expect(theirs.code, theirs.stderr.slice(-2000)).toBe(0);
    const groups = [...ours.map((g) => g.group), ...theirs.stdout.split('\n').map((l) => l.trim())];
    expect(groups.filter((g) => /registry|kfeed-fetch-without-group/.test(g))).toEqual([]);
  });
});

describe('subscriber with AWS Private CA (moto)', () => {
  const client = () =>
    new ACMPCAClient({
      endpoint: moto.env.AWS_ENDPOINT_URL,
      region: moto.env.AWS_REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });

  it('add issues from the Private CA; remove --revoke-certificate revokes it there', async () => {
    const c = await clientCsr('two', 'CN=feed client two,O=Example Corp,C=US');
    const bundle = path.join(work, 'bundle-two');
    const added = await run([
      'subscriber',
      'add',
      'two',
      '--csr',
      c.csr,
      '--topics',
      quote,
      '--ca-arn',
      pca.arn,
      '--out-dir',
      bundle,
      '--json',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const cert = JSON.parse(added.stdout).subscriber.certificates[0];
    expect(cert.ca).toBe(pca.arn);
    fs.copyFileSync(c.key, path.join(bundle, 'private_key.pem'));
    const read = await kcatFromBundle(bundle, [
      '-C',
      '-G',
      'two-a',
      '-c',
      '1',
      '-o',
      'beginning',
      '-f',
      '%s\\n',
      quote,
    ]);
    expect(read.code, read.stderr).toBe(0);

    const fetched = await client().send(
      new GetCertificateCommand({ CertificateAuthorityArn: pca.arn, CertificateArn: cert.certificateArn }),
    );
    expect(fetched.Certificate).toContain('BEGIN CERTIFICATE');
    const removed = await run([
      'subscriber',
      'remove',
      'two',
      '--yes',
      '--revoke-certificate',
      '--reason',
      'KEY_COMPROMISE',
      '--json',
    ]);
    expect(removed.stderr).toBe('');
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ revoked: [cert.serialNumber], notRevoked: [] });
    await expect(
      client().send(
        new GetCertificateCommand({ CertificateAuthorityArn: pca.arn, CertificateArn: cert.certificateArn }),
      ),
    ).rejects.toThrow(/revoked with reason: KEY_COMPROMISE/);
    const { body } = await listed();
    const two = body.subscribers.find((s: { name: string }) => s.name === 'two');
    expect(two.record.certificates[0]).toMatchObject({ revocationReason: 'KEY_COMPROMISE' });
  });
});

describe('subscriber add that fails half-way leaves nothing behind', () => {
  const nothingFor = async (name: string, principal: string, bundle: string) => {
    const held = JSON.parse((await run(['acl', 'list', '--json'])).stdout) as Array<{ principal: string }>;
    expect(held.filter((a) => a.principal === principal)).toEqual([]);
    const { body } = await listed();
    expect(body.subscribers.map((s: { name: string }) => s.name)).not.toContain(name);
    expect(fs.existsSync(bundle)).toBe(false);
  };

  it('a topic that does not exist, a CSR whose signature fails, a Private CA that refuses', async () => {
    const c = await clientCsr('three', 'CN=feed client three');
    const principal = 'User:CN=feed client three';
    const bundle = path.join(work, 'bundle-three');
    expectFailure(
      await run([
        'subscriber',
        'add',
        'three',
        '--csr',
        c.csr,
        '--topics',
        `${quote},no-such-topic`,
        '--local-ca',
        cluster.caDir,
        '--out-dir',
        bundle,
      ]),
      7,
      /topic no-such-topic does not exist/,
    );
    await nothingFor('three', principal, bundle);

    const damaged = path.join(work, 'damaged.csr');
    const pem = fs.readFileSync(c.csr, 'utf8');
    const body = pem
      .split('\n')
      .filter((l) => l && !l.startsWith('-----'))
      .join('');
    const der = Buffer.from(body, 'base64');
    der[der.length - 5] ^= 0xff; // inside the signature
    fs.writeFileSync(
      damaged,
      `-----BEGIN CERTIFICATE REQUEST-----\n${der
        .toString('base64')
        .match(/.{1,64}/g)!
        .join('\n')}\n-----END CERTIFICATE REQUEST-----\n`,
    );
    expectFailure(
      await run([
        'subscriber',
        'add',
        'three',
        '--csr',
        damaged,
        '--topics',
        quote,
        '--local-ca',
        cluster.caDir,
        '--out-dir',
        bundle,
      ]),
      11,
      /signature of .* does not verify/,
    );
    await nothingFor('three', principal, bundle);

    const pending = await createPrivateCa(moto.env, { commonName: 'pending CA', activate: false });
    expectFailure(
      await run([
        'subscriber',
        'add',
        'three',
        '--csr',
        c.csr,
        '--topics',
        quote,
        '--ca-arn',
        pending.arn,
        '--out-dir',
        bundle,
      ]),
      10,
      /issuing the certificate failed: .*PENDING_CERTIFICATE.*nothing had been changed/,
    );
    await nothingFor('three', principal, bundle);
  });

  it('a registry that refuses the record: the ACLs, the bundle and the Private CA certificate are undone', async () => {
    // A registry topic whose records may not exceed 100 bytes: every step before the record succeeds.
    const registry = `tiny-registry-${suffix}`;
    expect(
      (await run(['create-topic', registry, '--config', 'max.message.bytes=100', '--config', 'cleanup.policy=compact']))
        .code,
    ).toBe(0);
    const c = await clientCsr('four', 'CN=feed client four');
    const bundle = path.join(work, 'bundle-four');
    const failed = await run([
      'subscriber',
      'add',
      'four',
      '--csr',
      c.csr,
      '--topics',
      quote,
      '--ca-arn',
      pca.arn,
      '--out-dir',
      bundle,
      '--registry-topic',
      registry,
    ]);
    expectFailure(
      failed,
      3,
      /recording the subscriber failed: .*undone: bundle .* removed, 3 ACL\(s\) removed, certificate [0-9a-f]+ revoked/,
    );
    const serial = /certificate ([0-9a-f]+) revoked/.exec(failed.stderr)![1];
    expect(serial).toBeTruthy();
    const held = JSON.parse((await run(['acl', 'list', '--json'])).stdout) as Array<{ principal: string }>;
    expect(held.filter((a) => a.principal === 'User:CN=feed client four')).toEqual([]);
    expect(fs.existsSync(bundle)).toBe(false);
  });
});

describe('drift and --check', () => {
  it('an ACL granted by hand to another principal shows as drift and fails --check', async () => {
    const c = await clientCsr('five', 'CN=feed client five');
    expect(
      (
        await run([
          'subscriber',
          'add',
          'five',
          '--csr',
          c.csr,
          '--topics',
          trade,
          '--role',
          'producer',
          '--local-ca',
          cluster.caDir,
          '--out-dir',
          path.join(work, 'bundle-five'),
        ])
      ).code,
    ).toBe(0);
    const clean = await listed(['--check']);
    expect(clean.body.problems).toEqual([]);
    expect(clean.code).toBe(0);
    expect(
      (await run(['acl', 'grant', '--principal', 'User:CN=by hand', '--role', 'consumer', '--topic', trade])).code,
    ).toBe(0);
    const drifted = await listed(['--check']);
    expect(drifted.code).toBe(11);
    expect(drifted.body.drift.unknownPrincipals.map((d: { principal: string }) => d.principal)).toContain(
      'User:CN=by hand',
    );
    const expiring = await listed(['--check', '--expiring-days', '400']);
    expect(expiring.body.problems.some((p: string) => /five: certificate expires in \d+ day/.test(p))).toBe(true);
    // A subscriber whose ACL was taken away by hand shows as missing.
    expect(
      (await run(['acl', 'revoke', '--principal', 'User:CN=by hand', '--role', 'consumer', '--topic', trade])).code,
    ).toBe(0);
    expect(
      (await run(['acl', 'revoke', '--principal', 'User:CN=feed client five', '--role', 'write', '--topic', trade]))
        .code,
    ).toBe(0);
    const missing = await listed(['--check']);
    expect(missing.code).toBe(11);
    expect(missing.body.drift.missingAcls).toEqual([
      { name: 'five', acls: [expect.objectContaining({ operation: 'WRITE', resourceName: trade })] },
    ]);
  });
});

describe('an IAM subscriber (--principal-arn)', () => {
  const clusterArn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/feed/3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7';
  const principalArn = 'arn:aws:iam::210987654321:role/feed-reader';

  it('gets its least-privilege policy in the bundle instead of a certificate, and no ACLs', async () => {
    const bundle = path.join(work, 'bundle-iam');
    const add = ['subscriber', 'add', 'iamclient', '--principal-arn', principalArn, '--cluster-arn', clusterArn];
    const noBootstrap = await run([...add, '--topics', quote, '--out-dir', bundle]);
    expectFailure(noBootstrap, 2, /needs the IAM bootstrap brokers/);
    expectFailure(await run([...add, '--topics', quote, '--csr', 'x.csr']), 2, /name the client once/);
    expect(fs.existsSync(bundle)).toBe(false);

    const bootstrap = 'b-1.feed.abc.c2.kafka.eu-west-1.amazonaws.com:9098';
    const added = await run([...add, '--topics', quote, '--bootstrap', bootstrap, '--out-dir', bundle, '--json']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout)).toMatchObject({
      auth: 'iam',
      subscriber: { principal: principalArn, auth: 'iam' },
    });
    expect(listing(bundle)).toEqual(['README.md', 'kfeed-profile.json', 'policy.json', 'subscriber.json']);
    // The bundle's policy is exactly what `kfeed iam policy` prints for the same client.
    const policy = await kfeed([
      'iam',
      'policy',
      '--cluster-arn',
      clusterArn,
      '--topics',
      quote,
      '--role',
      'consumer',
      '--group-prefix',
      'iamclient-',
      '--json',
    ]);
    expect(JSON.parse(fs.readFileSync(path.join(bundle, 'policy.json'), 'utf8'))).toEqual(JSON.parse(policy.stdout));
    expect(JSON.parse(fs.readFileSync(path.join(bundle, 'kfeed-profile.json'), 'utf8'))).toEqual({
      brokers: [bootstrap],
      security: 'sasl_ssl',
      auth: 'iam',
      region: 'eu-west-1',
    });
    const held = JSON.parse((await run(['acl', 'list', '--json'])).stdout) as Array<{ principal: string }>;
    expect(held.filter((a) => a.principal.includes('feed-reader'))).toEqual([]);

    const { body } = await listed();
    expect(body.subscribers.find((s: { name: string }) => s.name === 'iamclient')).toMatchObject({
      state: 'active',
      missingAcls: [],
      certificate: null,
    });
    const csr = await clientCsr('iam-renew', 'CN=feed reader');
    expectFailure(
      await run(['subscriber', 'renew', 'iamclient', '--csr', csr.csr, '--local-ca', cluster.caDir]),
      2,
      /connects with IAM/,
    );
    const removed = await run(['subscriber', 'remove', 'iamclient', '--yes', '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ aclsRemoved: [], iamPrincipalToDetach: principalArn });
  });
});
