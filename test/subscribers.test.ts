import fs from 'node:fs';
import path from 'node:path';
import { GetCertificateCommand, ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, listing } from './helpers/assert.js';
import { runKafkaTool } from './helpers/kafka-tools.js';
import { createPrivateCa } from './helpers/private-ca.js';
import { kfeed } from './helpers/run.js';
import {
  clientCsr as makeClientCsr,
  kcatFromBundle,
  listed as listedOn,
  MTLS_BUNDLE_FILES,
  produceLines,
  startSubscriberCluster,
  type SubscriberCluster,
} from './helpers/subscribers.js';

/**
 * The whole subscriber lifecycle on a cluster that requires ACLs, with the client's side
 * played by independent clients (kcat, Kafka's Java console consumer) that use only the
 * bundle's files and the key the client made itself.
 */
const CLUSTER = 'subscribers';

let c: SubscriberCluster;
const run = (args: string[], env: Record<string, string> = {}) => c.run(args, env);
const clientCsr = (name: string, subject: string) => makeClientCsr(c, name, subject);
const listed = (extra: string[] = []) => listedOn(c, extra);
const suffix = Date.now().toString(36);
const quote = `quote-${suffix}`;
/** When the records of `quote` were produced (ms before and after kcat ran): the time lag's oracle. */
const producedBetween = [0, 0];
const trade = `trade-${suffix}`;

beforeAll(async () => {
  c = await startSubscriberCluster(CLUSTER, { iam: true });
  for (const topic of [quote, trade]) expect((await run(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
  // One key: all ten records in one partition, so "read 4" leaves a lag of exactly 6.
  producedBetween[0] = Date.now();
  await produceLines(
    c,
    quote,
    Array.from({ length: 10 }, (_, i) => `AAPL:tick ${i}`),
  );
  producedBetween[1] = Date.now();
});

afterAll(async () => {
  await c?.stop();
});

describe('subscriber lifecycle (local CA)', () => {
  let bundle: string;
  let principal: string;

  it('add: certificate, exactly the consumer ACLs, a bundle and a registry record', async () => {
    const client = await clientCsr('one', 'CN=feed client one,O=Example Corp\\, Inc.,C=US');
    bundle = path.join(c.work, 'bundle-one');
    const added = await run([
      'subscriber',
      'add',
      'one',
      '--csr',
      client.csr,
      '--topics',
      `${quote},${trade}`,
      '--local-ca',
      c.caDir,
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
    expect(listing(bundle)).toEqual(MTLS_BUNDLE_FILES);
    expect(fs.readFileSync(path.join(bundle, 'truststore.pem'), 'utf8')).toBe(fs.readFileSync(c.ca, 'utf8'));
    // The broker's own view: exactly those ACLs for the principal.
    const held = JSON.parse((await run(['acl', 'list', '--json'])).stdout) as Array<{ principal: string }>;
    expect(held.filter((a) => a.principal === principal)).toHaveLength(5);
  });

  it("the client reads the feed with only the bundle and its own key: kcat and Kafka's Java console consumer", async () => {
    fs.copyFileSync(path.join(c.work, 'client-one', 'private_key.pem'), path.join(bundle, 'private_key.pem'));
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
      { cluster: CLUSTER, brokers: c.tls, ca: c.ca, cert: c.adminCert, key: c.adminKey },
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

  it('two groups read the same data: list shows the largest lag, not the sum; show names that group', async () => {
    const { body } = await listed();
    const one = body.subscribers.find((s: { name: string }) => s.name === 'one');
    const lagOf = (group: string) => one.groups.find((g: { group: string }) => g.group === group)?.lag;
    // kcat and kfeed each read 4 of the same 10 records: each is 6 behind, together not 12.
    expect([lagOf('one-kcat'), lagOf('one-kfeed')]).toEqual([6, 6]);
    expect(one.lag).toBe(6);
    expect(['one-kcat', 'one-kfeed']).toContain(one.lagGroup);
    const shown = await run(['subscriber', 'show', 'one']);
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toMatch(
      new RegExp(`^lag +6 message\\(s\\), .* behind \\(largest: group ${one.lagGroup}\\)$`, 'm'),
    );
  });

  it("a group that exists with no committed offsets is shown (state, members, no offsets), as Kafka's ConsumerGroupCommand shows it", async () => {
    // The bundle README's kcat command with nothing new to read: it joins, reads nothing, commits nothing, leaves.
    const read = await kcatFromBundle(bundle, ['-C', '-G', 'one-empty', '-e', trade]);
    expect(read.code, read.stderr).toBe(0);
    const described = await run(['group', 'describe', 'one-empty', '--json']);
    expect(described.stderr).toBe('');
    expect(described.code).toBe(0);
    expect(JSON.parse(described.stdout)).toMatchObject({
      group: 'one-empty',
      state: 'Empty',
      members: [],
      partitions: [],
      committedPartitions: 0,
    });
    expect((await run(['group', 'describe', 'one-empty'])).stdout).toMatch(
      /^group one-empty: Empty, 0 member\(s\), no commits$/m,
    );
    const java = await runKafkaTool(
      { cluster: CLUSTER, brokers: c.tls, ca: c.ca, cert: c.adminCert, key: c.adminKey },
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      ['--describe', '--group', 'one-empty', '--state', '--timeout', '60000'],
    );
    expect(java.stdout).toMatch(/^one-empty\s.*\sEmpty\s+0\s*$/m);
    // A group that never existed is still "does not exist".
    expectFailure(await run(['group', 'describe', 'one-never']), 7, /group one-never does not exist/);

    const shown = await run(['subscriber', 'show', 'one', '--json']);
    expect(shown.stderr).toBe('');
    expect(shown.code).toBe(0);
    const groups = JSON.parse(shown.stdout).subscriber.groups;
    expect(groups.find((g: { group: string }) => g.group === 'one-empty')).toEqual({
      group: 'one-empty',
      state: 'Empty',
      members: 0,
      lag: null,
      lagSeconds: null,
    });
    expect((await run(['subscriber', 'show', 'one'])).stdout).toMatch(/^one-empty +Empty +0 +no commits +- *$/m);
  });

  it('renew: a new certificate for the same subject; a CSR with another subject is refused', async () => {
    const again = await clientCsr('one-renewed', 'CN=feed client one,O=Example Corp\\, Inc.,C=US');
    const renewed = await run(['subscriber', 'renew', 'one', '--csr', again.csr, '--local-ca', c.caDir, '--json']);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    const body = JSON.parse(renewed.stdout);
    expect(body.subscriber.certificates).toHaveLength(2);
    // The fresh bundle goes to ./NAME-bundle-<date> (the date of the run, UTC).
    const renewedBundle = path.join(c.work, `one-bundle-${new Date().toISOString().slice(0, 10)}`);
    expect(body.bundle.dir).toBe(renewedBundle);
    expect(listing(renewedBundle)).toEqual(MTLS_BUNDLE_FILES);
    const other = await clientCsr('impostor', 'CN=someone else');
    const elsewhere = path.join(c.work, 'bundle-impostor');
    expectFailure(
      await run(['subscriber', 'renew', 'one', '--csr', other.csr, '--local-ca', c.caDir, '--out-dir', elsewhere]),
      2,
      /subject gives User:CN=someone else, but subscriber one is/,
    );
    expect(listing(other.dir)).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
    expect(fs.existsSync(elsewhere)).toBe(false);
  });

  it('remove: every ACL of its principal goes (and no other), the client is refused, the record stays as removed', async () => {
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
});

describe('subscriber with AWS Private CA (moto)', () => {
  const client = () =>
    new ACMPCAClient({
      endpoint: c.moto.env.AWS_ENDPOINT_URL,
      region: c.moto.env.AWS_REGION,
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
    });

  it('add issues from the Private CA; remove --revoke-certificate revokes it there', async () => {
    const cl = await clientCsr('two', 'CN=feed client two,O=Example Corp,C=US');
    const bundle = path.join(c.work, 'bundle-two');
    const added = await run([
      'subscriber',
      'add',
      'two',
      '--csr',
      cl.csr,
      '--topics',
      quote,
      '--ca-arn',
      c.pca.arn,
      '--out-dir',
      bundle,
      '--json',
    ]);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    const cert = JSON.parse(added.stdout).subscriber.certificates[0];
    expect(cert.ca).toBe(c.pca.arn);
    fs.copyFileSync(cl.key, path.join(bundle, 'private_key.pem'));
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
      new GetCertificateCommand({ CertificateAuthorityArn: c.pca.arn, CertificateArn: cert.certificateArn }),
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
        new GetCertificateCommand({ CertificateAuthorityArn: c.pca.arn, CertificateArn: cert.certificateArn }),
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
    const cl = await clientCsr('three', 'CN=feed client three');
    const principal = 'User:CN=feed client three';
    const bundle = path.join(c.work, 'bundle-three');
    expectFailure(
      await run([
        'subscriber',
        'add',
        'three',
        '--csr',
        cl.csr,
        '--topics',
        `${quote},no-such-topic`,
        '--local-ca',
        c.caDir,
        '--out-dir',
        bundle,
      ]),
      7,
      /topic no-such-topic does not exist/,
    );
    await nothingFor('three', principal, bundle);

    const damaged = path.join(c.work, 'damaged.csr');
    const pem = fs.readFileSync(cl.csr, 'utf8');
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
        c.caDir,
        '--out-dir',
        bundle,
      ]),
      11,
      /signature of .* does not verify/,
    );
    await nothingFor('three', principal, bundle);

    const pending = await createPrivateCa(c.moto.env, { commonName: 'pending CA', activate: false });
    expectFailure(
      await run([
        'subscriber',
        'add',
        'three',
        '--csr',
        cl.csr,
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
    const cl = await clientCsr('four', 'CN=feed client four');
    const bundle = path.join(c.work, 'bundle-four');
    const failed = await run([
      'subscriber',
      'add',
      'four',
      '--csr',
      cl.csr,
      '--topics',
      quote,
      '--ca-arn',
      c.pca.arn,
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
    const cl = await clientCsr('five', 'CN=feed client five');
    expect(
      (
        await run([
          'subscriber',
          'add',
          'five',
          '--csr',
          cl.csr,
          '--topics',
          trade,
          '--role',
          'producer',
          '--local-ca',
          c.caDir,
          '--out-dir',
          path.join(c.work, 'bundle-five'),
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
    const bundle = path.join(c.work, 'bundle-iam');
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
      await run(['subscriber', 'renew', 'iamclient', '--csr', csr.csr, '--local-ca', c.caDir]),
      2,
      /connects with IAM/,
    );
    const removed = await run(['subscriber', 'remove', 'iamclient', '--yes', '--json']);
    expect(removed.code).toBe(0);
    expect(JSON.parse(removed.stdout)).toMatchObject({ aclsRemoved: [], iamPrincipalToDetach: principalArn });
  });
});

describe('seeing is reliable', () => {
  it('a group with no commits reads "no commits" in list, not 0; a certificate that expires within a day says hours', async () => {
    const client = await clientCsr('brief', 'CN=feed client brief');
    const bundle = path.join(c.work, 'bundle-brief');
    const added = await run([
      'subscriber',
      'add',
      'brief',
      '--csr',
      client.csr,
      '--topics',
      trade,
      '--validity-days',
      '1',
      '--local-ca',
      c.caDir,
      '--out-dir',
      bundle,
    ]);
    expect(added.code, added.stderr).toBe(0);
    fs.copyFileSync(client.key, path.join(bundle, 'private_key.pem'));
    // Its only group joins and leaves without reading anything (trade has no records).
    const read = await kcatFromBundle(bundle, ['-C', '-G', 'brief-1', '-e', trade]);
    expect(read.code, read.stderr).toBe(0);

    const { body } = await listed(['--check', '--expiring-days', '2']);
    const brief = body.subscribers.find((s: { name: string }) => s.name === 'brief');
    expect(brief).toMatchObject({ lag: null, lagGroup: null, hoursLeft: 23, daysLeft: 0, state: 'expiring' });
    expect(brief.groups).toEqual([{ group: 'brief-1', state: 'Empty', members: 0, lag: null, lagSeconds: null }]);
    expect(body.problems).toContainEqual(expect.stringMatching(/^brief: certificate expires in 23 hour\(s\) \(/));
    const text = await run(['subscriber', 'list']);
    expect(text.stdout).toMatch(/^brief +consumer .* no commits .* expiring *$/m);
    expect((await run(['subscriber', 'show', 'brief'])).stdout).toMatch(/^expires +in 23 hour\(s\) /m);
    expect((await run(['subscriber', 'remove', 'brief', '--yes'])).code).toBe(0);
  });
});

describe('a topic the client may not describe is "not authorized" (exit 6), over mTLS and over IAM', () => {
  it('mTLS: a subscriber consuming a topic it was not given', async () => {
    const client = await clientCsr('seven', 'CN=feed client seven');
    const bundle = path.join(c.work, 'bundle-seven');
    const add = ['subscriber', 'add', 'seven', '--csr', client.csr, '--topics', quote, '--local-ca', c.caDir];
    expect((await run([...add, '--out-dir', bundle])).code).toBe(0);
    fs.copyFileSync(client.key, path.join(bundle, 'private_key.pem'));
    const as = ['--brokers', c.tls.join(','), '--ca', 'truststore.pem', '--cert', 'client_cert.pem'];
    const files = [...as, '--key', 'private_key.pem'];
    const consumed = await kfeed(['consume', trade, '-g', 'seven-1', '--exit-at-end', ...files], { cwd: bundle });
    expectFailure(consumed, 6, new RegExp(`not authorized for topic ${trade}: Kafka refused it DESCRIBE`));
    const grant = `kfeed acl grant --cert ${path.join(bundle, 'client_cert.pem')} --role producer --topic ${trade}`;
    expect(consumed.stderr).toContain(grant);
    expect(consumed.stderr).not.toMatch(/create/);
    // Its own topic still reads.
    const own = await kfeed(['consume', quote, '-g', 'seven-1', '--from-beginning', '-n', '1', ...files], {
      cwd: bundle,
    });
    expect(own.code, own.stderr).toBe(0);
    expect((await run(['subscriber', 'remove', 'seven', '--yes'])).code).toBe(0);
  });

  it('IAM: the hints speak of IAM policies (`kfeed iam policy`), never of `acl grant`', async () => {
    const iam = c.iam!;
    const flags = ['--brokers', iam.brokers.join(','), '--ca', c.ca, '--auth', 'iam', '--region', iam.region];
    const consumed = await kfeed(['consume', quote, '-g', 'iam-1', '--exit-at-end', ...flags], { env: iam.env });
    expectFailure(consumed, 6, new RegExp(`not authorized for topic ${quote}: .*IAM policy.*kfeed iam policy`));
    expect(consumed.stderr).not.toMatch(/acl grant/);
    const produced = await kfeed(['produce', '--topic', quote, ...flags], { env: iam.env, stdin: 'x\n' });
    expectFailure(produced, 6, new RegExp(`not authorized for topic ${quote}: .*kfeed iam policy`));
    expect(produced.stderr).not.toMatch(/acl grant/);
    // Describing and deleting a topic it may not see: IAM policy too.
    for (const args of [
      ['describe-topic', quote],
      ['topic', 'delete', quote, '--yes'],
    ]) {
      const refused = await kfeed([...args, ...flags], { env: iam.env });
      expectFailure(refused, 6, new RegExp(`not authorized for topic ${quote}: .*kfeed iam policy`));
      expect(refused.stderr).not.toMatch(/acl grant/);
    }
    // With the topic allowed but not the group: the group refusal also names IAM policies.
    const grant = ['acl', 'grant', '--principal', iam.principal, '--topic', quote];
    expect((await run([...grant, '--role', 'describe'])).code).toBe(0);
    expect((await run([...grant, '--role', 'read', '--group', 'iam-other'])).code).toBe(0);
    const grouped = await kfeed(['consume', quote, '-g', 'iam-1', '--exit-at-end', ...flags], { env: iam.env });
    expectFailure(grouped, 6, /not authorized for group iam-1 .*kfeed iam policy/);
    expect(grouped.stderr).not.toMatch(/acl grant/);
    expect(
      (await run(['acl', 'revoke', '--principal', iam.principal, '--topic', quote, '--role', 'describe'])).code,
    ).toBe(0);
    const revoke = ['acl', 'revoke', '--principal', iam.principal, '--topic', quote, '--role', 'read'];
    expect((await run([...revoke, '--group', 'iam-other'])).code).toBe(0);
  });
});

describe('reading the registry and its history leaves no consumer group behind', () => {
  it("after every subscriber command above and `show --history`: no reader's group in kfeed's group list or Kafka's ConsumerGroupCommand --list", async () => {
    // Every command above read the registry (and the history, on a change); list and show read them once more.
    expect((await run(['subscriber', 'list', '--removed', '--json'])).code).toBe(0);
    const shown = await run(['subscriber', 'show', 'one', '--history', '--json']);
    expect(shown.code, shown.stderr).toBe(0);
    expect((JSON.parse(shown.stdout) as { history: unknown[] }).history.length).toBeGreaterThan(0);
    const ours = JSON.parse((await run(['group', 'list', '--json'])).stdout) as Array<{ group: string }>;
    // Kafka's own ConsumerGroupCommand --list, an independent view of the same groups.
    const theirs = await runKafkaTool(
      { cluster: CLUSTER, brokers: c.tls, ca: c.ca, cert: c.adminCert, key: c.adminKey },
      'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
      ['--list', '--timeout', '60000'],
    );
    expect(theirs.code, theirs.stderr.slice(-2000)).toBe(0);
    // The groups the test's own clients made are there: both views see groups at all.
    expect(ours.map((g) => g.group)).toContain('one-kcat');
    expect(theirs.stdout).toContain('one-kcat');
    const groups = [...ours.map((g) => g.group), ...theirs.stdout.split('\n').map((l) => l.trim())];
    expect(groups.filter((g) => /registry|reader|kfeed-fetch-without-group/.test(g))).toEqual([]);
  });
});
