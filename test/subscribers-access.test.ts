import fs from 'node:fs';
import path from 'node:path';
import { GetCertificateCommand, ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectFailure, listing } from './helpers/assert.js';
import { runKafkaTool } from './helpers/kafka-tools.js';
import { kcat } from './helpers/kcat.js';
import type { CertificateAuthority } from '../src/certs/issuing.js';
import { parseCsr } from '../src/certs/csr.js';
import { KfeedError } from '../src/errors.js';
import { addSubscriber } from '../src/subscribers/add.js';
import { readHistory } from '../src/subscribers/history.js';
import { readRegistry } from '../src/subscribers/registry.js';
import {
  aclList,
  adminAccess,
  addWithBundle as addWithBundleOn,
  clientCsr,
  expectDenied,
  expectReads,
  failureOf,
  listed,
  produceLines,
  startSubscriberCluster,
  type SubscriberCluster,
} from './helpers/subscribers.js';

/**
 * Once removed, nobody gets back in, and the record tells the truth: each way back in is
 * shown from the outside (kcat with the old bundle is refused afterwards, `acl list` holds
 * nothing of it), on a cluster that requires ACLs, with the local CA and a Private CA (moto).
 */
const CLUSTER = 'subscribers-access';
const suffix = Date.now().toString(36);
const quote = `quote-${suffix}`;
const trade = `trade-${suffix}`;

let c: SubscriberCluster;
const pcaClient = () =>
  new ACMPCAClient({
    endpoint: c.moto.env.AWS_ENDPOINT_URL,
    region: c.moto.env.AWS_REGION,
    credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
  });

beforeAll(async () => {
  c = await startSubscriberCluster(CLUSTER);
  for (const topic of [quote, trade]) expect((await c.run(['create-topic', topic])).code).toBe(0);
  await produceLines(c, quote, ['AAPL:q1', 'MSFT:q2']);
  await produceLines(c, trade, ['AAPL:t1', 'MSFT:t2']);
});

afterAll(async () => {
  await c?.stop();
});

const addWithBundle = (name: string, subject: string, args: string[]) => addWithBundleOn(c, name, subject, args);

describe("1. ACLs beyond the role on a subscriber's own principal", () => {
  it('are drift ("excess"): list shows them, --check fails, show flags them; remove takes every ACL of the principal', async () => {
    const { bundle, principal } = await addWithBundle('acme', 'CN=acme excess reader,O=Acme', [
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
    ]);
    await expectReads(bundle, quote, 'acme-1');
    await expectDenied(bundle, trade, 'acme-1');
    // Someone grants the subscriber's principal more than its role, by hand.
    const grant = ['acl', 'grant', '--principal', principal, '--role', 'consumer', '--topic', trade];
    expect((await c.run(grant)).code).toBe(0);
    await expectReads(bundle, trade, 'acme-1');

    const checked = await listed(c, ['--check']);
    expect(checked.code).toBe(11);
    const excess = checked.body.drift.excessAcls.find((d: { name: string }) => d.name === 'acme');
    expect(
      excess.acls.map((a: { operation: string; resourceName: string }) => `${a.operation} ${a.resourceName}`).sort(),
    ).toEqual(['DESCRIBE ' + trade, 'READ *', 'READ ' + trade].sort());
    expect(checked.body.problems).toContain('acme: 3 ACL(s) beyond its role');
    expect((await c.run(['subscriber', 'list'])).stdout).toMatch(
      new RegExp(`^  acme: beyond its role READ group \\*, DESCRIBE topic ${trade}, READ topic ${trade}$`, 'm'),
    );
    const shown = await c.run(['subscriber', 'show', 'acme']);
    expect(shown.stdout.split('\n').filter((l) => l.includes('BEYOND ITS ROLE'))).toHaveLength(3);
    expect(
      JSON.parse((await c.run(['subscriber', 'show', 'acme', '--json'])).stdout).subscriber.excessAcls,
    ).toHaveLength(3);

    const removed = await c.run(['subscriber', 'remove', 'acme', '--yes']);
    expect(removed.stdout).toMatch(/: 6 ACL\(s\) deleted, 3 of them beyond its role \(/);
    expect(await aclList(c, principal)).toEqual([]);
    await expectDenied(bundle, quote, 'acme-1');
    await expectDenied(bundle, trade, 'acme-1');
    const after = await listed(c, ['--check']);
    expect(after.body.problems.filter((p: string) => p.includes('acme') || p.includes(principal))).toEqual([]);
  });

  it('repair gives a subscriber exactly its role: missing granted, excess deleted, recorded in the history', async () => {
    const { bundle, principal } = await addWithBundle('fixme', 'CN=fixme reader,O=Acme', [
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
    ]);
    expect((await c.run(['acl', 'grant', '--principal', principal, '--role', 'read', '--topic', trade])).code).toBe(0);
    expect(
      (await c.run(['acl', 'revoke', '--principal', principal, '--role', 'describe', '--topic', quote])).code,
    ).toBe(0);
    const planned = await c.run(['subscriber', 'repair', 'fixme', '--dry-run']);
    expect(planned.stdout).toMatch(new RegExp(`^would grant +DESCRIBE topic ${quote}$`, 'm'));
    expect(planned.stdout).toMatch(/^would delete +/m);
    expect((await aclList(c, principal)).length).toBe(4);
    const repaired = await c.run(['subscriber', 'repair', 'fixme', '--json']);
    expect(repaired.code, repaired.stderr).toBe(0);
    expect(JSON.parse(repaired.stdout)).toMatchObject({ dryRun: false, granted: [{ operation: 'DESCRIBE' }] });
    expect(JSON.parse(repaired.stdout).deleted).toHaveLength(2);
    expect((await aclList(c, principal)).map((a) => `${a.operation} ${a.resourceName}`).sort()).toEqual(
      [`DESCRIBE ${quote}`, 'READ fixme-', `READ ${quote}`].sort(),
    );
    await expectDenied(bundle, trade, 'fixme-1');
    await expectReads(bundle, quote, 'fixme-1');
    expect((await c.run(['subscriber', 'repair', 'fixme'])).stdout).toMatch(/its ACLs are exactly its role's/);
    const history = JSON.parse((await c.run(['subscriber', 'show', 'fixme', '--json'])).stdout).history;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['add', 'repair']);
    expect(history[1]).toMatchObject({ by: c.adminPrincipal, aclsGranted: [{ operation: 'DESCRIBE' }] });
    expect((await c.run(['subscriber', 'remove', 'fixme', '--yes'])).code).toBe(0);
  });
});

describe('2. a removed subject is not let back in', () => {
  it('Private CA: after remove --revoke-certificate, add refuses a new CSR with the same subject; --reuse-principal is recorded', async () => {
    const subject = 'CN=acme b reader,O=Acme';
    const { bundle, principal, body } = await addWithBundle('acmeB', subject, [
      '--topics',
      quote,
      '--ca-arn',
      c.pca.arn,
    ]);
    await expectReads(bundle, quote, 'acmeB-1');
    const removed = await c.run(['subscriber', 'remove', 'acmeB', '--yes', '--revoke-certificate', '--json']);
    expect(removed.code, removed.stderr).toBe(0);
    const old = body.subscriber.certificates[0] as { serialNumber: string; certificateArn: string };
    expect(JSON.parse(removed.stdout).revoked).toEqual([old.serialNumber]);
    await expect(
      pcaClient().send(
        new GetCertificateCommand({ CertificateAuthorityArn: c.pca.arn, CertificateArn: old.certificateArn }),
      ),
    ).rejects.toThrow(/revoked/);
    await expectDenied(bundle, quote, 'acmeB-1');

    const aclsBefore = await aclList(c);
    const again = await clientCsr(c, 'acmeB2', subject);
    const bundle2 = path.join(c.work, 'bundle-acmeB2');
    const add = ['subscriber', 'add', 'acmeB2', '--csr', again.csr, '--topics', quote, '--ca-arn', c.pca.arn];
    expectFailure(
      await c.run([...add, '--out-dir', bundle2]),
      8,
      new RegExp(
        `^kfeed: User:CN=acme b reader,O=Acme was the principal of subscriber acmeB, removed on \\S+: ` +
          'every certificate ever issued with that subject would work again \\(brokers do not check revocation\\) — ' +
          'have the client make a CSR with a new subject, e.g. a serial or date in the CN',
      ),
    );
    expect(await aclList(c)).toEqual(aclsBefore);
    expect(listing(bundle2)).toEqual([]);
    expect((await listed(c)).body.subscribers.map((s: { name: string }) => s.name)).not.toContain('acmeB2');
    // The old client, its certificate revoked at the CA, is still refused: nothing opened for it.
    await expectDenied(bundle, quote, 'acmeB-1');

    // Asked for explicitly, it is allowed and recorded, and the revoked certificate reads again:
    // what the refusal is there for.
    const reused = await c.run([...add, '--out-dir', bundle2, '--reuse-principal', '--json']);
    expect(reused.code, reused.stderr).toBe(0);
    expect(JSON.parse(reused.stdout).reused).toEqual(['principal']);
    await expectReads(bundle, quote, 'acmeB2-1');
    const history = JSON.parse((await c.run(['subscriber', 'show', 'acmeB2', '--json'])).stdout).history;
    expect(history).toEqual([
      expect.objectContaining({
        action: 'add',
        reused: ['principal'],
        what: expect.stringMatching(/principal of a removed subscriber used again \(--reuse-principal\)/),
      }),
    ]);
    expect((await c.run(['subscriber', 'remove', 'acmeB2', '--yes'])).code).toBe(0);
    expect(await aclList(c, principal)).toEqual([]);
    await expectDenied(bundle, quote, 'acmeB2-1');
  });

  it('local CA and IAM: the same refusal, each in one line with its reason', async () => {
    const subject = 'CN=acme c reader,O=Acme';
    const { bundle } = await addWithBundle('acmeC', subject, ['--topics', quote, '--local-ca', c.caDir]);
    expect((await c.run(['subscriber', 'remove', 'acmeC', '--yes'])).code).toBe(0);
    const again = await clientCsr(c, 'acmeC2', subject);
    const refused = await c.run([
      'subscriber',
      'add',
      'acmeC2',
      '--csr',
      again.csr,
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
    ]);
    expectFailure(refused, 8, /was the principal of subscriber acmeC, .*brokers do not check revocation/);
    await expectDenied(bundle, quote, 'acmeC-1');

    const iam = [
      '--principal-arn',
      'arn:aws:iam::210987654321:role/acme-reader',
      '--cluster-arn',
      'arn:aws:kafka:eu-west-1:123456789012:cluster/feed/3f2a9c1e-7b4d-4e2a-9c1e-7b4d4e2a9c1e-7',
      '--topics',
      quote,
      '--bootstrap',
      'b-1.feed.example:9098',
    ];
    const first = await c.run(['subscriber', 'add', 'acmeI', ...iam, '--out-dir', path.join(c.work, 'bundle-acmeI')]);
    expect(first.code, first.stderr).toBe(0);
    expect((await c.run(['subscriber', 'remove', 'acmeI', '--yes'])).code).toBe(0);
    expectFailure(
      await c.run(['subscriber', 'add', 'acmeI2', ...iam, '--out-dir', path.join(c.work, 'bundle-acmeI2')]),
      8,
      /was the principal of subscriber acmeI, .*whoever can use that IAM identity would get in again — use another IAM role/,
    );
  });
});

describe('3. a failed add leaves nothing behind', () => {
  it('bad input (an empty or wildcard group prefix, no topic) is refused before any step', async () => {
    const client = await clientCsr(c, 'bad', 'CN=bad input reader');
    const bundle = path.join(c.work, 'bundle-bad');
    const aclsBefore = await aclList(c);
    const registryBefore = (await listed(c)).body.subscribers;
    const add = ['subscriber', 'add', 'bad', '--csr', client.csr, '--local-ca', c.caDir, '--out-dir', bundle];
    for (const prefix of ['', '*', 'bad*', 'bad group']) {
      expectFailure(
        await c.run([...add, '--topics', quote, '--group-prefix', prefix]),
        2,
        new RegExp(`^kfeed: "${prefix.replace('*', '\\*')}" is not a valid group prefix — `),
        prefix,
      );
    }
    expectFailure(await c.run([...add, '--topics', ',']), 2, /a subscriber needs at least one topic/);
    expect(await aclList(c)).toEqual(aclsBefore);
    expect((await listed(c)).body.subscribers).toEqual(registryBefore);
    expect(fs.existsSync(bundle)).toBe(false);
  });
  it('a failure after each step undoes every step before it exactly: ACLs, registry and history as before, the old bundle refused', async () => {
    const access = await adminAccess(c);
    const snapshot = async () => ({
      acls: await aclList(c),
      registry: Object.fromEntries(await readRegistry(access.settings, access.registryTopic)),
      history: await readHistory(access.settings, access.historyTopic, 'inject'),
    });
    const client = await clientCsr(c, 'inject', 'CN=inject reader');
    const csr = await parseCsr(fs.readFileSync(client.csr, 'utf8'), client.csr);
    const authorities: Record<string, CertificateAuthority> = {
      local: { kind: 'local', dir: c.caDir },
      pca: { kind: 'pca', arn: c.pca.arn, waitSeconds: 60, env: { ...process.env, ...c.moto.env } },
    };
    const steps = {
      certificate: 'issuing the certificate',
      acls: 'granting the ACLs',
      bundle: 'writing the bundle',
      record: 'recording the subscriber',
    };
    for (const [ca, authority] of Object.entries(authorities)) {
      for (const [step, name] of Object.entries(steps)) {
        const label = `${ca}, failure after ${step}`;
        const before = await snapshot();
        const outDir = path.join(c.work, `bundle-inject-${ca}-${step}`);
        const kept = path.join(c.work, `kept-inject-${ca}-${step}`);
        let certificateArn: string | undefined;
        const failure = await failureOf(
          addSubscriber(access, {
            name: 'inject',
            csr,
            csrFile: client.csr,
            role: 'consumer',
            topics: [quote],
            groupPrefix: 'inject-',
            authority,
            validityDays: 30,
            bootstrap: c.tls,
            brokerCaPem: fs.readFileSync(c.ca, 'utf8'),
            outDir,
            afterStep: async (done) => {
              if (done === 'bundle') {
                fs.cpSync(outDir, kept, { recursive: true });
                fs.copyFileSync(client.key, path.join(kept, 'private_key.pem'));
              }
              if (done === 'record') {
                // Everything is in place: the client reads, until the failure undoes it all.
                await expectReads(kept, quote, 'inject-1');
                const recorded = (await readRegistry(access.settings, access.registryTopic)).get('inject');
                certificateArn = recorded?.certificates[0].certificateArn;
              }
              if (done === step) throw new Error(`injected failure after ${done}`);
            },
          }),
          `${label}: the add`,
        );
        expect(failure, label).toBeInstanceOf(KfeedError);
        const serial = /certificate ([0-9a-f]+) /.exec(failure.message)?.[1];
        expect(serial, `${label}: ${failure.message}`).toBeTruthy();
        const undone = [
          ...(step === 'record' ? ['registry record taken back'] : []),
          ...(['bundle', 'record'].includes(step) ? [`bundle ${outDir} removed`] : []),
          ...(step !== 'certificate' ? ['3 ACL(s) removed'] : []),
          ...(ca === 'pca' ? [`certificate ${serial} revoked`] : []),
        ];
        const tail = [
          ...(undone.length ? [`undone: ${undone.join(', ')}`] : []),
          ...(ca === 'local' ? [`certificate ${serial} not revocable (local CA keeps no list)`] : []),
        ].join('; ');
        expect(failure.message, label).toBe(`the step after ${name} failed: injected failure after ${step} (${tail})`);
        expect(await snapshot(), label).toEqual(before);
        expect(fs.existsSync(outDir), label).toBe(false);
        if (fs.existsSync(kept)) await expectDenied(kept, quote, 'inject-1');
        if (certificateArn) {
          await expect(
            pcaClient().send(
              new GetCertificateCommand({ CertificateAuthorityArn: c.pca.arn, CertificateArn: certificateArn }),
            ),
            label,
          ).rejects.toThrow(/revoked/);
        }
      }
    }
  });

  it('a history that refuses the event: the record is taken back and every earlier step undone', async () => {
    const registry = `hist-fail-${suffix}`;
    const tiny = ['--config', 'max.message.bytes=100'];
    expect((await c.run(['create-topic', `${registry}_history`, ...tiny])).code).toBe(0);
    const client = await clientCsr(c, 'histfail', 'CN=history fail reader');
    const bundle = path.join(c.work, 'bundle-histfail');
    const aclsBefore = await aclList(c);
    const failed = await c.run([
      'subscriber',
      'add',
      'histfail',
      '--csr',
      client.csr,
      '--topics',
      quote,
      '--local-ca',
      c.caDir,
      '--out-dir',
      bundle,
      '--registry-topic',
      registry,
    ]);
    expectFailure(
      failed,
      3,
      /recording the history failed: .*\(undone: registry record taken back, bundle .* removed, 3 ACL\(s\) removed; certificate [0-9a-f]+ not revocable \(local CA keeps no list\)\)/,
    );
    expect(failed.stderr).not.toMatch(/revoked/);
    expect(await aclList(c)).toEqual(aclsBefore);
    expect((await listed(c, ['--registry-topic', registry])).body.subscribers).toEqual([]);
    expect(fs.existsSync(bundle)).toBe(false);
  });
});

describe('4. the record tells the truth', () => {
  it('a removed name is refused; --reuse-name starts a new generation; the history keeps every change, who and when', async () => {
    const first = await addWithBundle('acmeA', 'CN=acme a reader,O=Acme', ['--topics', quote, '--local-ca', c.caDir]);
    const oldSerial = first.body.subscriber.certificates[0].serialNumber;
    expect((await c.run(['subscriber', 'remove', 'acmeA', '--yes'])).code).toBe(0);
    const removedRecord = (await listed(c)).body.subscribers.find((s: { name: string }) => s.name === 'acmeA').record;
    expect(removedRecord).toMatchObject({ removedBy: c.adminPrincipal });

    // Another client's CSR under the old name.
    const other = await clientCsr(c, 'acmeA-other', 'CN=another customer,O=Other');
    const add = ['subscriber', 'add', 'acmeA', '--csr', other.csr, '--topics', quote, '--local-ca', c.caDir];
    const bundle2 = path.join(c.work, 'bundle-acmeA2');
    expectFailure(
      await c.run([...add, '--out-dir', bundle2]),
      8,
      /^kfeed: subscriber acmeA was removed on \S+ by User:CN=kfeed-admin.*, and its name keeps its history — .*--reuse-name/,
    );
    expect((await listed(c)).body.subscribers.find((s: { name: string }) => s.name === 'acmeA').record).toEqual(
      removedRecord,
    );

    const reused = await c.run([...add, '--out-dir', bundle2, '--reuse-name', '--json']);
    expect(reused.code, reused.stderr).toBe(0);
    const record = JSON.parse(reused.stdout).subscriber;
    expect(record).toMatchObject({
      principal: 'User:CN=another customer,O=Other',
      generation: 2,
      previousGenerations: [
        {
          generation: 1,
          principal: 'User:CN=acme a reader,O=Acme',
          removedAt: removedRecord.removedAt,
          removedBy: c.adminPrincipal,
        },
      ],
    });
    expect(record.certificates.map((x: { serialNumber: string }) => x.serialNumber)).not.toContain(oldSerial);
    expect(record.certificates).toHaveLength(1);
    // The first customer's bundle is still refused under the reused name.
    await expectDenied(first.bundle, quote, 'acmeA-1');
    const renewCsr = await clientCsr(c, 'acmeA-renew', 'CN=another customer,O=Other');
    expect((await c.run(['subscriber', 'renew', 'acmeA', '--csr', renewCsr.csr, '--local-ca', c.caDir])).code).toBe(0);

    const shown = await c.run(['subscriber', 'show', 'acmeA', '--history']);
    expect(shown.code, shown.stderr).toBe(0);
    const rows = shown.stdout.split('\n').filter((l) => /^\d{4}-\d\d-\d\dT/.test(l));
    expect(rows.map((l) => l.split(/\s{2,}/).slice(1, 3))).toEqual([
      [c.adminPrincipal, '1'],
      [c.adminPrincipal, '1'],
      [c.adminPrincipal, '2'],
      [c.adminPrincipal, '2'],
    ]);
    expect(rows[0]).toMatch(/added: consumer of .*certificate/);
    expect(rows[1]).toMatch(/removed: 3 ACL\(s\) deleted \(0 beyond its role\)/);
    expect(rows[2]).toMatch(/name used again \(generation 2, --reuse-name\)/);
    expect(rows[3]).toMatch(/renewed: certificate/);
    const history = JSON.parse((await c.run(['subscriber', 'show', 'acmeA', '--json'])).stdout).history;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['add', 'remove', 'add', 'renew']);
    expect(history[1].record).toEqual(removedRecord);
    expect(history[0].record.certificates[0].serialNumber).toBe(oldSerial);

    // An independent reader sees the same four events, on a topic Kafka never compacts or expires.
    const topic = '_kfeed_subscribers_history';
    const raw = await kcat(c.tls, { ca: c.ca, cert: c.adminCert, key: c.adminKey }, [
      '-C',
      '-t',
      topic,
      '-e',
      '-f',
      '%k\\t%s\\n',
    ]);
    expect(raw.code, raw.stderr).toBe(0);
    const events = raw.stdout
      .split('\n')
      .filter((l) => l.startsWith('acmeA\t'))
      .map((l) => JSON.parse(l.slice('acmeA\t'.length)));
    expect(events.map((e) => [e.action, e.generation, e.by])).toEqual([
      ['add', 1, c.adminPrincipal],
      ['remove', 1, c.adminPrincipal],
      ['add', 2, c.adminPrincipal],
      ['renew', 2, c.adminPrincipal],
    ]);
    const configs = await runKafkaTool(
      { cluster: CLUSTER, brokers: c.tls, ca: c.ca, cert: c.adminCert, key: c.adminKey },
      'kafka.admin.ConfigCommand',
      ['--entity-type', 'topics', '--entity-name', topic, '--describe'],
    );
    expect(configs.stdout).toMatch(/cleanup\.policy=delete/);
    expect(configs.stdout).toMatch(/retention\.ms=-1/);
    expect(configs.stdout).toMatch(/retention\.bytes=-1/);
  });
});
