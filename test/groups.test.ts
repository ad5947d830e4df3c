import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPem, issueWithLocalCa, loadLocalCa, publicKeyOf } from '../src/certs/local-ca.js';
import { kafkaPrincipalOfCertificate } from '../src/certs/principal.js';
import { expectFailure } from './helpers/assert.js';
import { sharedCluster, tempDir } from './helpers/env.js';
import { kfeed } from './helpers/run.js';

const unique = (prefix: string) => `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;

/** A client certificate from the suite's CA, with no ACLs yet. */
function clientWithoutAcls(cn: string) {
  const cluster = sharedCluster();
  const dir = tempDir('kfeed-groups-');
  const ca = loadLocalCa(path.dirname(cluster.ca));
  const key = generateRsaKeyPem(2048);
  const cert = issueWithLocalCa(ca, { publicKeyPem: publicKeyOf(key), subject: { CN: cn, O: 'Example Corp' }, days: 1, usage: 'client' });
  const files = { cert: path.join(dir, 'client.pem'), key: path.join(dir, 'client-key.pem') };
  fs.writeFileSync(files.cert, cert + ca.certPem);
  fs.writeFileSync(files.key, key, { mode: 0o600 });
  return { ...files, principal: kafkaPrincipalOfCertificate(cert), flags: ['--cert', files.cert, '--key', files.key] };
}

describe('refusals that name the missing ACL (--require-acls cluster)', () => {
  const topic = unique('denied');
  const group = unique('denied-group');
  const client = clientWithoutAcls(`no group acl ${Date.now().toString(36)}`);

  beforeAll(async () => {
    expect((await kfeed(['topic', 'create', topic, '--partitions', '2'])).code).toBe(0);
    expect((await kfeed(['produce', '--topic', topic], { stdin: 'one\ntwo\n' })).code).toBe(0);
  });

  it('a consumer without READ on its group is told so, with the ACL and the grant, exit 6', async () => {
    // READ and DESCRIBE on the topic, READ on another group only.
    expect((await kfeed(['acl', 'grant', '--principal', client.principal, '--role', 'describe', '--topic', topic])).code).toBe(0);
    expect((await kfeed(['acl', 'grant', '--principal', client.principal, '--role', 'read', '--topic', topic, '--group', `${group}-other`])).code).toBe(0);
    const consumed = await kfeed(['consume', '--topic', topic, '-g', group, '--from-beginning', '--exit-at-end', ...client.flags]);
    expectFailure(consumed, 6, new RegExp(`not authorized for group ${group}: it needs the ACL READ on group ${group}`));
    expect(consumed.stderr).toContain(`kfeed acl grant --cert ${client.cert} --role consumer --topic ${topic} --group ${group}`);
    expect(consumed.stderr).not.toMatch(/coordinator/i);

    // The grant it names works.
    expect((await kfeed(['acl', 'grant', '--cert', client.cert, '--role', 'consumer', '--topic', topic, '--group', group])).code).toBe(0);
    const after = await kfeed(['consume', '--topic', topic, '-g', group, '--from-beginning', '--exit-at-end', ...client.flags]);
    expect(after.stderr).not.toMatch(/^kfeed:/m);
    expect(after.code).toBe(0);
    expect(after.stdout).toMatch(/one/);
  });

  it('a produce to an existing topic without ACLs is an authorization problem, not a missing topic, exit 6', async () => {
    const other = clientWithoutAcls(`no topic acl ${Date.now().toString(36)}`);
    const produced = await kfeed(['produce', '--topic', topic, ...other.flags], { stdin: 'refused\n' });
    expectFailure(produced, 6, new RegExp(`not authorized for topic ${topic}: .*authorization problem`));
    expect(produced.stderr).not.toMatch(/does not exist/);
    expect(produced.stderr).toContain(`kfeed acl grant --cert ${other.cert} --role producer --topic ${topic}`);
  });
});
