import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CertificateAuthority } from '../src/certs/issuing.js';
import { parseCsr } from '../src/certs/csr.js';
import { kfeedPaths } from '../src/config/paths.js';
import { KfeedError } from '../src/errors.js';
import { readClusterState } from '../src/local/cluster.js';
import { readHistory } from '../src/subscribers/history.js';
import { readRegistry } from '../src/subscribers/registry.js';
import { renewSubscriber } from '../src/subscribers/renew.js';
import { openRegistryAccess } from '../src/subscribers/shared.js';
import { expectFailure, listing } from './helpers/assert.js';
import { requireTool, tempDir, testEnv } from './helpers/env.js';
import { resolveWith } from './helpers/resolve-connection.js';
import { kfeed } from './helpers/run.js';
import { runProcess } from './helpers/spawn.js';
import {
  clientCsr,
  MTLS_BUNDLE_FILES,
  produceLines,
  startSubscriberCluster,
  type SubscriberCluster,
} from './helpers/subscribers.js';

/**
 * Renewals that reach the customer, and a bundle a stranger can use the first time: the
 * renewed bundle's README commands for kcat and Kafka's Java console consumer are taken from
 * the README text and run as they stand (only the tools' paths come from this machine), on a
 * cluster that requires ACLs; `list --expiring-days` gives a mailer what it needs; the bundle's
 * profile is imported and used.
 */
const CLUSTER = 'subscribers-renew';
const suffix = Date.now().toString(36);
const quote = `quote-${suffix}`;
// A dot in a topic name: Java's --include is a regex, so the README must escape it.
const trade = `trade.eu-${suffix}`;
const records = ['q1', 'q2', 'q3', 't1', 't2'];
const DAY_MS = 86_400_000;

let c: SubscriberCluster;
const today = () => new Date().toISOString().slice(0, 10);

beforeAll(async () => {
  c = await startSubscriberCluster(CLUSTER);
  for (const topic of [quote, trade]) expect((await c.run(['create-topic', topic])).code).toBe(0);
  await produceLines(c, quote, ['A:q1', 'A:q2', 'A:q3']);
  await produceLines(c, trade, ['A:t1', 'A:t2']);
});

afterAll(async () => {
  await c?.stop();
});

/** The lines of the first ```sh block under the README heading `## <heading>`. */
function commandsUnder(readme: string, heading: string): string[] {
  const section = readme.split(/^## /m).find((s) => s.startsWith(`${heading}\n`));
  const block = section && /```sh\n([\s\S]*?)```/.exec(section);
  if (!block) throw new Error(`no sh block under "## ${heading}" in:\n${readme}`);
  return block[1].trim().split('\n');
}

/**
 * Kafka's `kafka-console-consumer.sh` is a wrapper that runs the ConsoleConsumer class: this one
 * runs it from the jars of the test cluster, so the README's line runs unchanged.
 */
function consoleConsumerScript(): string {
  requireTool('java', 'apt-get install openjdk-17-jdk-headless');
  const state = readClusterState(kfeedPaths(process.env).dataDir, CLUSTER);
  if (!state) throw new Error(`no state for local cluster ${CLUSTER}`);
  const bin = tempDir('kfeed-kafka-bin-');
  fs.writeFileSync(
    path.join(bin, 'kafka-console-consumer.sh'),
    `#!/bin/sh\nexec '${state.java}' -Xmx256m -Djava.io.tmpdir='${os.tmpdir()}' -cp '${state.classpath}' ` +
      'org.apache.kafka.tools.consumer.ConsoleConsumer "$@"\n',
    { mode: 0o755 },
  );
  return bin;
}

/**
 * Runs one README line with sh in the bundle folder; a consumer is stopped once it printed every
 * record. kcat's stdout to a pipe is block-buffered: stdbuf makes it line-buffered, as on a terminal.
 */
function runReadmeLine(bundle: string, line: string, bin?: string) {
  return runProcess('sh', ['-c', `exec ${bin ? '' : 'stdbuf -oL '}${line}`], {
    cwd: bundle,
    env: testEnv(bin ? { PATH: `${bin}:${process.env.PATH}` } : {}),
    timeoutMs: 90_000,
    until: (stdout) => stdout.trim().split('\n').length >= records.length,
  });
}

const readLines = (stdout: string) => stdout.trim().split('\n').sort();

describe('a contact, and the subscribers whose certificate ends soon', () => {
  it('add --contact records it (list, show, --json, the history); a bad one is refused and writes nothing', async () => {
    const client = await clientCsr(c, 'acme', 'CN=acme renew reader,O=Acme');
    const add = ['subscriber', 'add', 'acme', '--csr', client.csr, '--topics', `${quote},${trade}`];
    const bundle = path.join(c.work, 'bundle-acme');
    const bad = await c.run([...add, '--local-ca', c.caDir, '--out-dir', bundle, '--contact', 'ops at acme']);
    expectFailure(bad, 2, /"ops at acme" is not an e-mail address/);
    expect(fs.existsSync(bundle)).toBe(false);

    const added = await c.run([
      ...add,
      '--local-ca',
      c.caDir,
      '--out-dir',
      bundle,
      '--validity-days',
      '5',
      '--contact',
      'feed-ops@acme.example',
    ]);
    expect(added.stderr).not.toMatch(/kfeed:/);
    expect(added.code).toBe(0);
    expect(added.stdout).toMatch(/^contact +feed-ops@acme\.example$/m);
    const far = await clientCsr(c, 'far', 'CN=far reader');
    const farAdded = await c.run([
      ...['subscriber', 'add', 'far', '--csr', far.csr, '--topics', quote, '--local-ca', c.caDir],
      ...['--out-dir', path.join(c.work, 'bundle-far'), '--validity-days', '100'],
    ]);
    expect(farAdded.code, farAdded.stderr).toBe(0);

    const shown = JSON.parse((await c.run(['subscriber', 'show', 'acme', '--json'])).stdout);
    expect(shown.subscriber.contact).toBe('feed-ops@acme.example');
    expect(shown.history).toHaveLength(1);
    expect(shown.history[0].what).toMatch(/contact feed-ops@acme\.example/);
    expect(shown.history[0].record.contact).toBe('feed-ops@acme.example');
    expect((await c.run(['subscriber', 'show', 'acme'])).stdout).toMatch(/^contact +feed-ops@acme\.example$/m);
    const table = (await c.run(['subscriber', 'list'])).stdout;
    expect(table).toMatch(/^acme +consumer .* feed-ops@acme\.example +\S+ +\S+ +- +expiring *$/m);
    expect(table).toMatch(/^far +consumer .* - +\S+ +\S+ +- +active *$/m);
  });

  it('list --expiring-days N --json: only those ending within N days, with name, contact, notAfter, days and hours left, serial', async () => {
    const certificate = new crypto.X509Certificate(fs.readFileSync(path.join(c.work, 'bundle-acme/client_cert.pem')));
    const before = Date.now();
    const soon = await c.run(['subscriber', 'list', '--expiring-days', '10', '--json']);
    const after = Date.now();
    expect(soon.stderr).toBe('');
    expect(soon.code).toBe(0);
    const subscribers = JSON.parse(soon.stdout).subscribers;
    expect(subscribers.map((s: { name: string }) => s.name)).toEqual(['acme']);
    const end = Date.parse(certificate.validTo);
    const [acme] = subscribers;
    expect(acme).toMatchObject({
      name: 'acme',
      contact: 'feed-ops@acme.example',
      serial: certificate.serialNumber.toLowerCase(),
      state: 'expiring',
    });
    expect(acme.notAfter).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
    expect(Date.parse(acme.notAfter)).toBe(end);
    expect(acme.daysLeft).toBeGreaterThanOrEqual(Math.floor((end - after) / DAY_MS));
    expect(acme.daysLeft).toBeLessThanOrEqual(Math.floor((end - before) / DAY_MS));
    expect(acme.hoursLeft).toBeGreaterThanOrEqual(Math.floor((end - after) / 3_600_000));
    expect(acme.hoursLeft).toBeLessThanOrEqual(Math.floor((end - before) / 3_600_000));
    expect(acme.hoursLeft).toBeGreaterThan(24 * 4);

    const all = JSON.parse((await c.run(['subscriber', 'list', '--expiring-days', '200', '--json'])).stdout);
    expect(all.subscribers.map((s: { name: string }) => s.name)).toEqual(['acme', 'far']);
    expect(all.subscribers[1]).toMatchObject({ name: 'far', contact: null });
    const text = await c.run(['subscriber', 'list', '--expiring-days', '10']);
    expect(text.stdout).toMatch(/^acme /m);
    expect(text.stdout).not.toMatch(/^far /m);
  });
});

describe('renew: a fresh bundle that reaches the customer', () => {
  let bundle: string;
  let key: string;

  it('writes a new certificate and a README with its expiry and serial to NAME-bundle-<date>; the history has it', async () => {
    const again = await clientCsr(c, 'acme-renewed', 'CN=acme renew reader,O=Acme');
    key = again.key;
    const renewed = await c.run(['subscriber', 'renew', 'acme', '--csr', again.csr, '--local-ca', c.caDir, '--json']);
    expect(renewed.stderr).toBe('');
    expect(renewed.code).toBe(0);
    const body = JSON.parse(renewed.stdout);
    bundle = path.join(c.work, `acme-bundle-${today()}`);
    expect(body.bundle.dir).toBe(bundle);
    expect(listing(bundle)).toEqual(MTLS_BUNDLE_FILES);
    const certificate = new crypto.X509Certificate(fs.readFileSync(path.join(bundle, 'client_cert.pem')));
    expect(certificate.subject).toMatch(/CN=acme renew reader/);
    const serial = body.certificate.serialNumber;
    expect(certificate.serialNumber.toLowerCase()).toBe(serial);
    const readme = fs.readFileSync(path.join(bundle, 'README.md'), 'utf8');
    expect(readme).toContain(`Certificate: serial \`${serial}\`, valid until ${body.certificate.notAfter}.`);
    expect(Date.parse(body.certificate.notAfter)).toBe(Date.parse(certificate.validTo));
    expect(readme).toMatch(/This bundle is a renewal/);
    // The new certificate's key is the one of the new CSR.
    expect(certificate.checkPrivateKey(crypto.createPrivateKey(fs.readFileSync(key)))).toBe(true);

    const history = JSON.parse((await c.run(['subscriber', 'show', 'acme', '--json'])).stdout).history;
    expect(history.map((e: { action: string }) => e.action)).toEqual(['add', 'renew']);
    expect(history[1].what).toMatch(new RegExp(`^renewed: certificate ${serial}, valid until `));
    expect(history[1].record.certificates).toHaveLength(2);
    // Renewed for 300 days: no longer among those ending within 10.
    const soon = JSON.parse((await c.run(['subscriber', 'list', '--expiring-days', '10', '--json'])).stdout);
    expect(soon.subscribers).toEqual([]);
  });

  it('refuses a folder that is not empty, in one line, and changes nothing', async () => {
    const again = await clientCsr(c, 'acme-twice', 'CN=acme renew reader,O=Acme');
    const before = listing(bundle);
    const refused = await c.run(['subscriber', 'renew', 'acme', '--csr', again.csr, '--local-ca', c.caDir]);
    expectFailure(refused, 8, new RegExp(`${bundle} is not empty — name a new folder with --out-dir`));
    expect(listing(bundle)).toEqual(before);
    const history = JSON.parse((await c.run(['subscriber', 'show', 'acme', '--json'])).stdout).history;
    expect(history).toHaveLength(2);
  });

  it("the README's kcat command reads every topic from the beginning for a new group", async () => {
    fs.copyFileSync(key, path.join(bundle, 'private_key.pem'));
    const readme = fs.readFileSync(path.join(bundle, 'README.md'), 'utf8');
    const [line] = commandsUnder(readme, 'kcat');
    expect(line).toBe(`kcat -F kcat.conf -C -G acme-1 -X auto.offset.reset=earliest ${quote} ${trade}`);
    requireTool('kcat', 'apt-get install kcat');
    const read = await runReadmeLine(bundle, line);
    expect(read.stderr).not.toMatch(/authoriz|SSL|handshake/i);
    expect(readLines(read.stdout), read.stderr).toEqual(records);
    // kcat committed its offsets: the provider deletes the group, so that Java's run finds a new group.
    const deleted = await c.run(['group', 'delete', 'acme-1', '--yes']);
    expect(deleted.code, deleted.stderr).toBe(0);
  });

  it("the README's Java console consumer command does the same, with --include naming every topic", async () => {
    const readme = fs.readFileSync(path.join(bundle, 'README.md'), 'utf8');
    const lines = commandsUnder(readme, 'Java clients and Kafka tools');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(` --include '${quote}|${trade.replace('.', '\\.')}' --group acme-1 --from-beginning `);
    const keystore = await runProcess('sh', ['-c', lines[0]], { cwd: bundle });
    expect(keystore.code, keystore.stderr).toBe(0);
    const read = await runReadmeLine(bundle, lines[1], consoleConsumerScript());
    expect(read.stderr).not.toMatch(/Authorization|SSLHandshake|AuthenticationException/);
    expect(readLines(read.stdout), read.stderr).toEqual(records);
  });

  it("the README's kfeed lines: the bundle's profile imported, then consume --profile reads; import's refusals", async () => {
    const config = tempDir('kfeed-config-');
    const env = { XDG_CONFIG_HOME: config };
    const readme = fs.readFileSync(path.join(bundle, 'README.md'), 'utf8');
    const [importLine, consumeLine] = commandsUnder(readme, 'kfeed');
    expect(importLine).toBe('kfeed profile import kfeed-profile.json --name feed');
    expect(consumeLine).toBe(`kfeed consume ${quote} ${trade} -g acme-1 --from-beginning --profile feed`);
    const args = (line: string) => line.split(' ').slice(1);
    // Someone who already has a default profile keeps it.
    const mine = await kfeed(['profile', 'add', 'mine', '--brokers', 'localhost:1', '--security', 'plaintext'], {
      env,
    });
    expect(mine.code, mine.stderr).toBe(0);
    const imported = await kfeed([...args(importLine), '--json'], { env, cwd: bundle });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(JSON.parse(imported.stdout)).toMatchObject({
      name: 'feed',
      replaced: false,
      defaultProfile: 'mine',
      profile: { cert: path.join(bundle, 'client_cert.pem'), key: path.join(bundle, 'private_key.pem') },
    });
    // The profile names absolute files: it reads from anywhere. A group of its own (acme-1 committed above).
    const consumed = await kfeed([...args(consumeLine).map((a) => (a === 'acme-1' ? 'acme-kfeed' : a)), '-n', '5'], {
      env,
      cwd: config,
    });
    expect(consumed.stderr).not.toMatch(/kfeed:/);
    expect(consumed.code).toBe(0);
    expect(readLines(consumed.stdout.replace(/^.*: value=/gm, ''))).toEqual(records);

    expectFailure(
      await kfeed(args(importLine), { env, cwd: bundle }),
      8,
      /profile feed already exists — import it under another name with --name, or pass --force/,
    );
    const forced = await kfeed([...args(importLine), '--force', '--default'], { env, cwd: bundle });
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toMatch(/^profile feed replaced from .* \(the default profile\)$/m);
    // Without the client's key beside it, the import says what to do.
    const keyless = tempDir('kfeed-keyless-');
    for (const f of ['kfeed-profile.json', 'client_cert.pem', 'truststore.pem'])
      fs.copyFileSync(path.join(bundle, f), path.join(keyless, f));
    expectFailure(
      await kfeed(['profile', 'import', 'kfeed-profile.json', '--name', 'other'], { env, cwd: keyless }),
      3,
      /key .*private_key\.pem does not exist — put the private key you made the CSR with there/,
    );
    const profiles = JSON.parse(fs.readFileSync(path.join(config, 'kfeed/profiles.json'), 'utf8'));
    expect(Object.keys(profiles.profiles).sort()).toEqual(['feed', 'mine']);
    expect(profiles.defaultProfile).toBe('feed');
  });
});

describe('a renewal that fails half-way leaves nothing behind', () => {
  it('a failure after the certificate, the bundle or the record: registry and history as before, no bundle, the Private CA certificate revoked', async () => {
    const { settings } = resolveWith({ brokers: c.tls.join(','), ca: c.ca, cert: c.adminCert, key: c.adminKey });
    const access = await openRegistryAccess(await settings, '_kfeed_subscribers');
    const snapshot = async () => ({
      registry: (await readRegistry(access.settings, access.registryTopic)).get('acme'),
      history: await readHistory(access.settings, access.historyTopic, 'acme'),
    });
    const client = await clientCsr(c, 'acme-inject', 'CN=acme renew reader,O=Acme');
    const csr = await parseCsr(fs.readFileSync(client.csr, 'utf8'), client.csr);
    const authority: CertificateAuthority = {
      kind: 'pca',
      arn: c.pca.arn,
      waitSeconds: 60,
      env: { ...process.env, ...c.moto.env },
    };
    const steps = {
      certificate: 'issuing the certificate',
      bundle: 'writing the bundle',
      record: 'recording the subscriber',
    };
    for (const [step, name] of Object.entries(steps)) {
      const before = await snapshot();
      const outDir = path.join(c.work, `renew-inject-${step}`);
      const failure = await renewSubscriber(access, {
        name: 'acme',
        csr,
        csrFile: client.csr,
        authority,
        validityDays: 30,
        outDir,
        connectionBrokers: c.tls,
        brokerCaPem: fs.readFileSync(c.ca, 'utf8'),
        afterStep: (done) => {
          if (done === step) throw new Error(`injected failure after ${done}`);
        },
      }).then(
        () => new Error(`${step}: the renewal succeeded`),
        (error: unknown) => error as Error,
      );
      expect(failure, step).toBeInstanceOf(KfeedError);
      const serial = /certificate ([0-9a-f]+) revoked/.exec(failure.message)?.[1];
      const undone = [
        ...(step === 'record' ? ['registry record restored'] : []),
        ...(step !== 'certificate' ? [`bundle ${outDir} removed`] : []),
        `certificate ${serial} revoked`,
      ];
      expect(failure.message, step).toBe(
        `the step after ${name} failed: injected failure after ${step} (undone: ${undone.join(', ')})`,
      );
      expect(await snapshot(), step).toEqual(before);
      expect(fs.existsSync(outDir), step).toBe(false);
    }
  });
});
