import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import type { AclBinding } from '../../src/kafka/acls.js';
import { openRegistryAccess, type RegistryAccess } from '../../src/subscribers/shared.js';
import { requireTool, suiteKafkaVersion, tempDir } from './env.js';
import { kcat } from './kcat.js';
import { startMoto, type Moto } from './moto.js';
import { createPrivateCa, type TestPrivateCa } from './private-ca.js';
import { resolveWith } from './resolve-connection.js';
import { kfeed, type RunResult } from './run.js';
import { runProcess, type ProcessResult } from './spawn.js';

/**
 * A local `--require-acls` cluster for subscriber tests, as a provider runs one: the broker
 * trusts a Private CA served by moto (its certificates are accepted), kfeed runs as the cluster's
 * admin, and the client side is played by kcat with nothing but a bundle and the client's key.
 */
export interface SubscriberCluster {
  name: string;
  /** A folder of the test's own files, removed by `stop()`. */
  work: string;
  moto: Moto;
  pca: TestPrivateCa;
  tls: string[];
  ca: string;
  /** The local CA's folder, for `--local-ca`. */
  caDir: string;
  adminCert: string;
  adminKey: string;
  /** The admin certificate's principal: who the registry records as the operator. */
  adminPrincipal: string;
  /** With `iam: true`: the IAM listener and the environment of its one AWS identity. */
  iam?: { brokers: string[]; principal: string; region: string; env: Record<string, string> };
  /** kfeed as the provider's operator (the cluster's admin certificate). */
  run(args: string[], env?: Record<string, string>): Promise<RunResult>;
  stop(): Promise<void>;
}

export async function startSubscriberCluster(
  name: string,
  options: { iam?: boolean } = {},
): Promise<SubscriberCluster> {
  const moto = await startMoto();
  const pca = await createPrivateCa(moto.env, { commonName: `${name} test root CA` });
  const work = tempDir(`kfeed-${name}-`);
  fs.writeFileSync(path.join(work, 'pca-root.pem'), pca.certificatePem);
  const up = await kfeed([
    'local',
    'up',
    '--name',
    name,
    '--require-acls',
    '--kafka-version',
    suiteKafkaVersion(),
    '--trust-ca',
    path.join(work, 'pca-root.pem'),
    ...(options.iam ? ['--iam'] : []),
    '--no-profile',
    '--json',
  ]);
  if (up.code !== 0) {
    await moto.stop();
    throw new Error(`local up failed: ${up.stderr}`);
  }
  const status = JSON.parse(up.stdout);
  const admin = [
    '--brokers',
    status.bootstrap.tls.join(','),
    '--ca',
    status.files.ca,
    '--cert',
    status.files.clientCert,
    '--key',
    status.files.clientKey,
  ];
  return {
    name,
    work,
    moto,
    pca,
    tls: status.bootstrap.tls,
    ca: status.files.ca,
    caDir: path.dirname(status.files.ca),
    adminCert: status.files.clientCert,
    adminKey: status.files.clientKey,
    adminPrincipal: status.principals.admin,
    ...(options.iam
      ? {
          iam: {
            brokers: status.bootstrap.iam,
            principal: status.iam.principal,
            region: status.iam.region,
            env: iamKeys(status.iam.credentialsFile),
          },
        }
      : {}),
    // acl grant/revoke name the admin's files --admin-cert / --admin-key.
    run: (args, env = {}) => {
      const flags =
        args[0] === 'acl' && args[1] !== 'list'
          ? admin.map((f) => (f === '--cert' ? '--admin-cert' : f === '--key' ? '--admin-key' : f))
          : admin;
      return kfeed([...args, ...flags], { env: { ...moto.env, ...env }, cwd: work });
    },
    stop: async () => {
      await kfeed(['local', 'down', '--name', name]);
      await moto.stop();
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}

/** The identity's keys, as environment variables (kfeed in-process reads them from its own environment). */
function iamKeys(credentialsFile: string): Record<string, string> {
  const text = fs.readFileSync(credentialsFile, 'utf8');
  return {
    AWS_ACCESS_KEY_ID: /aws_access_key_id = (\S+)/.exec(text)![1],
    AWS_SECRET_ACCESS_KEY: /aws_secret_access_key = (\S+)/.exec(text)![1],
  };
}

/** What an mTLS subscriber's bundle holds (add and renew), sorted as `listing()` gives it. */
export const MTLS_BUNDLE_FILES = [
  'README.md',
  'client.properties',
  'client_cert.pem',
  'kcat.conf',
  'kfeed-profile.json',
  'subscriber.json',
  'truststore.pem',
];

/** Produces lines (`key:value`) to a topic as the admin, with kcat. */
export async function produceLines(c: SubscriberCluster, topic: string, lines: string[]): Promise<void> {
  const produced = await kcat(c.tls, { ca: c.ca, cert: c.adminCert, key: c.adminKey }, ['-P', '-t', topic, '-K', ':'], {
    stdin: lines.join('\n') + '\n',
  });
  expect(produced.code, produced.stderr).toBe(0);
}

/** The client side: a key and CSR made with kfeed makecsr, as a client in another account would. */
export async function clientCsr(
  c: SubscriberCluster,
  name: string,
  subject: string,
): Promise<{ dir: string; csr: string; key: string }> {
  const dir = path.join(c.work, `client-${name}`);
  const made = await kfeed(['makecsr', '--yes', '--subject', subject, '--out-dir', dir, '--force']);
  expect(made.code, made.stderr).toBe(0);
  return { dir, csr: path.join(dir, 'client_cert.csr'), key: path.join(dir, 'private_key.pem') };
}

/** Adds a subscriber from a fresh CSR; the client's key is put into its bundle, as the client does. */
export async function addWithBundle(
  c: SubscriberCluster,
  name: string,
  subject: string,
  args: string[],
): Promise<{
  bundle: string;
  principal: string;
  body: { subscriber: { certificates: Array<{ serialNumber: string }> } };
}> {
  const client = await clientCsr(c, name, subject);
  const bundle = path.join(c.work, `bundle-${name}`);
  const added = await c.run(['subscriber', 'add', name, '--csr', client.csr, '--out-dir', bundle, '--json', ...args]);
  expect(added.stderr).toBe('');
  expect(added.code).toBe(0);
  fs.copyFileSync(client.key, path.join(bundle, 'private_key.pem'));
  return { bundle, principal: `User:${subject}`, body: JSON.parse(added.stdout) };
}

/** kcat run from the bundle folder with only its kcat.conf (and the client's own key beside it). */
export function kcatFromBundle(bundle: string, args: string[]): Promise<ProcessResult> {
  const binary = requireTool('kcat', 'apt-get install kcat');
  return runProcess(binary, ['-F', 'kcat.conf', ...args], { cwd: bundle, timeoutMs: 60_000 });
}

/** The client reads one record of `topic` in group `group` with kcat and its bundle. */
export async function expectReads(bundle: string, topic: string, group: string): Promise<void> {
  const read = await kcatFromBundle(bundle, ['-C', '-G', group, '-c', '1', '-o', 'beginning', '-f', '%s\\n', topic]);
  expect({ code: read.code, stderr: read.stderr }).toMatchObject({ code: 0 });
  expect(read.stdout.trim()).not.toBe('');
}

/** The broker refuses the bundle's client: kcat fails and says it is not authorized. */
export async function expectDenied(bundle: string, topic: string, group: string): Promise<void> {
  const read = await kcatFromBundle(bundle, ['-C', '-G', group, '-c', '1', '-o', 'beginning', topic]);
  expect(read.code, `kcat read ${topic}: ${read.stdout}`).not.toBe(0);
  expect(read.stderr).toMatch(/authoriz/i);
  expect(read.stdout).toBe('');
}

/** Every ACL the broker holds (the provider's `kfeed acl list`), or those of one principal. */
export async function aclList(c: SubscriberCluster, principal?: string): Promise<AclBinding[]> {
  const listed = await c.run(['acl', 'list', '--json']);
  expect(listed.code, listed.stderr).toBe(0);
  const all = JSON.parse(listed.stdout) as AclBinding[];
  return principal === undefined ? all : all.filter((a) => a.principal === principal);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a JSON result, checked field by field by the tests
export async function listed(c: SubscriberCluster, extra: string[] = []): Promise<{ code: number; body: any }> {
  const result = await c.run(['subscriber', 'list', '--removed', '--json', ...extra]);
  expect(result.stderr).not.toMatch(/\bat .*\.[jt]s:\d+/);
  return { code: result.code, body: JSON.parse(result.stdout) };
}

/** kfeed's subscriber flows with the cluster admin's connection, for injecting failures between steps. */
export async function adminAccess(c: SubscriberCluster, registryTopic = '_kfeed_subscribers'): Promise<RegistryAccess> {
  const { settings } = resolveWith({ brokers: c.tls.join(','), ca: c.ca, cert: c.adminCert, key: c.adminKey });
  return openRegistryAccess(await settings, registryTopic);
}

/** The error a flow that must fail threw; an Error saying `what` succeeded when it did not fail. */
export function failureOf(flow: Promise<unknown>, what: string): Promise<Error> {
  return flow.then(
    () => new Error(`${what} succeeded`),
    (error: unknown) => error as Error,
  );
}

/** A step hook (`afterStep`) that fails right after the step `step`. */
export function failAfter(step: string): (done: string) => void {
  return (done) => {
    if (done === step) throw new Error(`injected failure after ${done}`);
  };
}
