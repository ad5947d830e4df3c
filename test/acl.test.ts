import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPem, issueWithLocalCa, loadLocalCa, publicKeyOf } from '../src/certs/local-ca.js';
import { kafkaPrincipalOfCertificate } from '../src/certs/principal.js';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kcat } from './helpers/kcat.js';
import { kfeed } from './helpers/run.js';
import { expectFailure } from './helpers/assert.js';

/**
 * On a cluster with allow.everyone.if.no.acl.found=false, ACLs decide. A client whose subject
 * has spaces and a comma must be named exactly as Kafka names it, or the grant does nothing.
 */
describe('ACLs decide on a --require-acls cluster', () => {
  const cluster = sharedCluster();
  const dir = tempDir('kfeed-acl-');
  const client = { ca: cluster.ca, cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client-key.pem') };
  const topic = `acl-${Date.now().toString(36)}`;
  const principal = 'User:CN=feed client 1,OU=Market Data,O=Example Corp\\, Inc.,L=New York,C=US';

  beforeAll(async () => {
    const ca = loadLocalCa(path.dirname(cluster.ca));
    const key = generateRsaKeyPem(2048);
    const { certificatePem: cert } = await issueWithLocalCa(ca, {
      publicKeyPem: publicKeyOf(key),
      subject: { CN: 'feed client 1', OU: 'Market Data', O: 'Example Corp, Inc.', L: 'New York', C: 'US' },
      days: 1,
      usage: 'client',
    });
    fs.writeFileSync(client.cert, cert + ca.certPem);
    fs.writeFileSync(client.key, key, { mode: 0o600 });
    expect((await kfeed(['create-topic', topic, '--partitions', '2'])).code).toBe(0);
  });

  const produce = (line: string) =>
    kcat(cluster.tlsBrokers, client, ['-P', '-t', topic, '-K', ':'], { stdin: `${line}\n` });
  it('names the certificate exactly as Kafka does (RFC 2253, spaces kept, comma escaped)', () => {
    expect(kafkaPrincipalOfCertificate(fs.readFileSync(client.cert, 'utf8'))).toBe(principal);
  });

  it('refuses before the grant, serves after it, refuses again after revoke', async () => {
    const before = await produce('k1:refused');
    expect(before.code).not.toBe(0);
    expect(before.stderr).toMatch(/authoriz/i);
    const describeBefore = await kfeed(['describe-topic', topic, '--cert', client.cert, '--key', client.key]);
    expectFailure(describeBefore, 6, /not authorized to describe topic/);

    const grantProducer = await kfeed([
      'acl',
      'grant',
      '--cert',
      client.cert,
      '--role',
      'producer',
      '--topic',
      topic,
      '--json',
    ]);
    expect(grantProducer.code).toBe(0);
    const granted = JSON.parse(grantProducer.stdout).granted as Array<{ principal: string; operation: string }>;
    expect(granted.map((g) => [g.principal, g.operation]).sort()).toEqual([
      [principal, 'DESCRIBE'],
      [principal, 'WRITE'],
    ]);
    const grantConsumer = await kfeed(['acl', 'grant', '--cert', client.cert, '--role', 'consumer', '--topic', topic]);
    expect(grantConsumer.code).toBe(0);
    expect(grantConsumer.stdout).toContain(principal);

    const after = await produce('k2:served');
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    const read = await kcat(cluster.tlsBrokers, client, [
      '-C',
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-G',
      `g-${topic}`,
      topic,
    ]);
    expect(read.code).toBe(0);
    expect(read.stdout.trim()).toBe('served');
    expect((await kfeed(['describe-topic', topic, '--cert', client.cert, '--key', client.key])).code).toBe(0);

    const listed = await kfeed(['acl', 'list', '--topic', topic, '--json']);
    const rows = JSON.parse(listed.stdout) as Array<{ principal: string; operation: string; resourceType: string }>;
    expect(
      rows
        .filter((r) => r.principal === principal && r.resourceType === 'TOPIC')
        .map((r) => r.operation)
        .sort(),
    ).toEqual(['DESCRIBE', 'READ', 'WRITE']);

    for (const role of ['producer', 'consumer']) {
      const revoked = await kfeed(['acl', 'revoke', '--principal', principal, '--role', role, '--topic', topic]);
      expect(revoked.code).toBe(0);
      expect(revoked.stdout).toMatch(/^revoked/);
    }
    const again = await produce('k3:refused-again');
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/authoriz/i);
    expect((await kfeed(['describe-topic', topic, '--cert', client.cert, '--key', client.key])).code).toBe(6);
  });

  it('delete-topic removes the topic ACLs too', async () => {
    const doomed = `${topic}-doomed`;
    expect((await kfeed(['create-topic', doomed])).code).toBe(0);
    expect(
      (await kfeed(['acl', 'grant', '--principal', principal, '--role', 'consumer', '--topic', doomed])).code,
    ).toBe(0);
    const deleted = await kfeed(['delete-topic', doomed, '--yes', '--json']);
    expect(deleted.code).toBe(0);
    expect(JSON.parse(deleted.stdout).aclsRemoved).toHaveLength(2); // topic READ and DESCRIBE; the group ACL stays
    const left = JSON.parse((await kfeed(['acl', 'list', '--topic', doomed, '--json'])).stdout) as Array<{
      resourceName: string;
    }>;
    expect(left.filter((r) => r.resourceName === doomed)).toEqual([]);
  });

  it('rejects an ACL request that does not name its client exactly once', async () => {
    const neither = await kfeed(['acl', 'grant', '--role', 'producer', '--topic', topic]);
    expectFailure(neither, 2, /--cert FILE or --principal/);
    const bad = await kfeed(['acl', 'grant', '--principal', 'CN=x', '--role', 'producer', '--topic', topic]);
    expectFailure(bad, 2, /not a Kafka principal/);
    const both = await kfeed([
      'acl',
      'grant',
      '--cert',
      client.cert,
      '--principal',
      principal,
      '--role',
      'producer',
      '--topic',
      topic,
    ]);
    expectFailure(both, 2, /name the client once: --cert FILE or --principal User:/);
    expect((await kfeed(['acl', 'list', '--topic', topic, '--json'])).stdout).not.toContain('"WRITE"');
    const notCert = await kfeed(['acl', 'grant', '--cert', client.key, '--role', 'producer', '--topic', topic]);
    expectFailure(notCert, 2, /no certificate found/);
  });

  it('says when the identity is the certificate found in the working folder', async () => {
    // The old tools' convention: client_cert.pem / private_key.pem in the folder are the connection's own.
    const cwd = tempDir('kfeed-acl-cwd-');
    fs.copyFileSync(client.cert, path.join(cwd, 'client_cert.pem'));
    fs.copyFileSync(client.key, path.join(cwd, 'private_key.pem'));
    const denied = await kfeed(['describe-topic', topic], { cwd });
    expectFailure(
      denied,
      6,
      /not authorized to describe topic .*\(connected as .*client_cert\.pem, found in the working folder\) — pass --cert and --key/,
    );
    // Named by a flag, the same certificate is not "from the working folder".
    const flagged = await kfeed(['describe-topic', topic, '--cert', client.cert, '--key', client.key]);
    expectFailure(flagged, 6, /not authorized to describe topic [^(]*— grant this client's principal/);
  });
});
