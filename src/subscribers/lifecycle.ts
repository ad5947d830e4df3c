import fs from 'node:fs';
import path from 'node:path';
import type { Admin } from '@platformatic/kafka';
import type { ConnectionSettings } from '../config/connection.js';
import { closeQuietly, createAdmin } from '../kafka/client.js';
import type { CertificateAuthority, RevocationReason } from '../certs/issuing.js';
import type { ParsedCsr } from '../certs/csr.js';
import { describeKey } from '../certs/keys.js';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError, messageOf } from '../errors.js';
import { describeBinding, listAcls, type AclBinding } from '../kafka/acls.js';
import { requireTopics } from '../kafka/topics.js';
import { bindingKey, createBindings, deleteBindings, subscriberBindings } from './acls.js';
import type { IamPolicyDocument } from '../aws/iam-policy.js';
import { checkBundleDir, renderBundle, renderIamBundle, writeBundle } from './bundle.js';
import {
  ensureRegistryTopic,
  isRemoved,
  readRegistry,
  writeRegistryRecord,
  RECORD_FORMAT,
  type SubscriberCertificate,
  type SubscriberRecord,
  type SubscriberRole,
} from './registry.js';

/** What every lifecycle step needs: a connection with admin rights and the registry's topic. */
export interface RegistryAccess {
  settings: ConnectionSettings;
  registryTopic: string;
  /** The operator's principal, recorded as who made each change. */
  operator: string;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
  /** Turns a client library's error into a KfeedError (the caller knows the connection). */
  translate: (error: unknown) => KfeedError;
}

/**
 * A failed step, with what was undone. Keeps the kind (and so the exit code) of the cause,
 * so "topic does not exist" stays a not-found and "CA refused" stays an AWS error.
 */
function failedAt(step: string, cause: KfeedError, undone: string[], notUndone: string[]): KfeedError {
  const what = cause.message;
  const tail = [
    undone.length ? `undone: ${undone.join(', ')}` : 'nothing had been changed',
    ...(notUndone.length ? [`NOT undone: ${notUndone.join('; ')}`] : []),
  ].join('; ');
  return new KfeedError(cause.kind, `${step} failed: ${what} (${tail})`, { hint: cause.hint, cause });
}

/** Runs steps in order; if one fails, the undo actions of those that succeeded run in reverse. */
class Transaction {
  constructor(private readonly translate: (error: unknown) => KfeedError) {}

  private readonly undos: Array<{ what: string; undo: () => Promise<void> }> = [];

  async step<T>(
    name: string,
    work: () => Promise<T>,
    undo?: (value: T) => { what: string; run: () => Promise<void> },
  ): Promise<T> {
    let value: T;
    try {
      value = await work();
    } catch (error) {
      const undone: string[] = [];
      const notUndone: string[] = [];
      for (const { what, undo: run } of this.undos.reverse()) {
        try {
          await run();
          undone.push(what);
        } catch (undoError) {
          notUndone.push(`${what} (${messageOf(undoError)})`);
        }
      }
      throw failedAt(name, this.translate(error), undone, notUndone);
    }
    if (undo) {
      const { what, run } = undo(value);
      this.undos.push({ what, undo: run });
    }
    return value;
  }
}

/** The CSR must be worth a certificate: a key of at least 2048 bits (RSA) or P-256, and a CN. */
export function checkSubscriberCsr(csr: ParsedCsr, file: string): void {
  const key = describeKey(csr.publicKey);
  const strong =
    (key.algorithm === 'RSA' && (key.size ?? 0) >= 2048) || (key.algorithm === 'EC' && (key.size ?? 0) >= 256);
  if (!strong) {
    throw new KfeedError('usage', `${file} carries a ${key.label} key, too weak for a feed client`, {
      hint: 'make a new CSR with RSA 2048+ or EC P-256/P-384 (`kfeed makecsr`)',
    });
  }
  if (!csr.subjectName.flat().some((a) => a.oid === '2.5.4.3')) {
    throw new KfeedError('usage', `the subject of ${file} has no CN (${csr.subject || 'empty'})`, {
      hint: 'make a new CSR with a CN: `kfeed makecsr --cn NAME`',
    });
  }
}

export interface AddSubscriberInput {
  name: string;
  csr: ParsedCsr;
  csrFile: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  authority: CertificateAuthority;
  validityDays: number;
  bootstrap: string[];
  brokerCaPem?: string;
  outDir: string;
}

/**
 * The name must be free (a removed subscriber's name may be used again: its record, with its
 * certificates, is carried over) and the principal no other active subscriber's.
 */
function checkNewSubscriber(registry: Map<string, SubscriberRecord>, name: string, principal: string) {
  const previous = registry.get(name);
  if (previous && !isRemoved(previous)) {
    throw new KfeedError('conflict', `subscriber ${name} already exists (${previous.principal})`, {
      hint: `see it with \`kfeed subscriber show ${name}\`; a new certificate: \`kfeed subscriber renew\``,
    });
  }
  const samePrincipal = [...registry.values()].find((r) => !isRemoved(r) && r.principal === principal);
  if (samePrincipal) {
    throw new KfeedError('conflict', `subscriber ${samePrincipal.name} already has the principal ${principal}`, {
      hint: 'each subscriber needs an identity of its own (a certificate subject or an IAM principal)',
    });
  }
  return previous;
}

export interface AddSubscriberResult {
  subscriber: SubscriberRecord;
  aclsGranted: AclBinding[];
  bundle: { dir: string; files: string[] };
  registryTopic: string;
}

/**
 * Onboards a subscriber: certificate, ACLs, bundle, then the registry record (the commit
 * point). A failure at any step undoes the steps before it and says what failed.
 */
export async function addSubscriber(access: RegistryAccess, input: AddSubscriberInput): Promise<AddSubscriberResult> {
  const { settings, registryTopic } = access;
  checkSubscriberCsr(input.csr, input.csrFile);
  checkBundleDir(input.outDir);
  const principal = `User:${input.csr.subject}`;
  const admin = await createAdmin(settings);
  try {
    await requireTopics(admin, input.topics);
    const registry = await readRegistry(settings, registryTopic, access.signal);
    const previous = checkNewSubscriber(registry, input.name, principal);
    const held = new Set((await listAcls(admin)).filter((b) => b.principal === principal).map(bindingKey));

    const tx = new Transaction(access.translate);
    access.onProgress?.(`issuing a certificate for ${principal}`);
    const issued = await tx.step(
      'issuing the certificate',
      async () => {
        const { issueFromCsr } = await import('../certs/issuing.js');
        return issueFromCsr(input.csr, input.authority, {
          validityDays: input.validityDays,
          signal: access.signal,
          onProgress: access.onProgress,
        });
      },
      (outcome) => ({
        what: `certificate ${outcome.result.info.serialNumber} revoked`,
        run: () => revokeIfPossible(input.authority, outcome.result.info.serialNumber),
      }),
    );
    if (issued.result.info.principal !== principal) {
      await tx.step('checking the certificate', async () => {
        throw new KfeedError('verification', `the CA issued ${issued.result.info.principal}, not ${principal}`, {
          hint: 'the CA rewrote the subject: use a CA template that keeps the CSR subject',
        });
      });
    }
    const wanted = subscriberBindings({
      principal,
      role: input.role,
      topics: input.topics,
      groupPrefix: input.groupPrefix,
    });
    // Bindings the principal already held were not ours to add, so they are not ours to undo.
    const missing = wanted.filter((e) => !held.has(bindingKey(describeBinding(e))));
    access.onProgress?.(`granting ${input.role} ACLs on ${input.topics.join(', ')}`);
    await tx.step(
      'granting the ACLs',
      () => createBindings(admin, missing),
      () => ({
        what: `${missing.length} ACL(s) removed`,
        run: async () => void (await deleteBindings(admin, missing)),
      }),
    );
    const now = new Date().toISOString();
    const certificate = certificateEntry(issued, now);
    const record: SubscriberRecord = {
      format: RECORD_FORMAT,
      name: input.name,
      principal,
      role: input.role,
      topics: input.topics,
      groupPrefix: input.groupPrefix,
      certificates: [...(previous?.certificates ?? []), certificate],
      createdAt: now,
      createdBy: access.operator,
      updatedAt: now,
      updatedBy: access.operator,
    };
    const files = renderBundle({
      record,
      certificatePem: issued.result.pem,
      brokerCaPem: input.brokerCaPem,
      bootstrap: input.bootstrap,
    });
    const written = await bundleThenRecord(tx, access, admin, { outDir: input.outDir, files, record });
    return {
      subscriber: record,
      aclsGranted: wanted.map(describeBinding),
      bundle: { dir: path.resolve(input.outDir), files: written },
      registryTopic,
    };
  } finally {
    await closeQuietly(admin);
  }
}

function certificateEntry(
  issued: Awaited<ReturnType<typeof import('../certs/issuing.js').issueFromCsr>>,
  now: string,
): SubscriberCertificate {
  const { info } = issued.result;
  return {
    serialNumber: info.serialNumber,
    notBefore: info.notBefore,
    notAfter: info.notAfter,
    fingerprintSha256: info.fingerprintSha256,
    ca: issued.ca,
    ...(issued.certificateArn ? { certificateArn: issued.certificateArn } : {}),
    issuedAt: now,
  };
}

/** The last two steps of every `add`: the bundle, then the registry record (the commit point). */
async function bundleThenRecord(
  tx: Transaction,
  access: RegistryAccess,
  admin: Admin,
  what: { outDir: string; files: Record<string, string>; record: SubscriberRecord },
): Promise<string[]> {
  const written = await tx.step(
    'writing the bundle',
    async () => writeBundle(what.outDir, what.files),
    () => ({
      what: `bundle ${what.outDir} removed`,
      run: async () => fs.rmSync(what.outDir, { recursive: true, force: true }),
    }),
  );
  await tx.step('recording the subscriber', async () => {
    await ensureRegistryTopic(admin, access.registryTopic);
    await writeRegistryRecord(access.settings, access.registryTopic, what.record);
  });
  return written;
}

/** A certificate from AWS Private CA can be revoked; a local CA keeps no revocation list. */
async function revokeIfPossible(authority: CertificateAuthority, serialNumber: string): Promise<void> {
  if (authority.kind !== 'pca') return;
  const { revokeWithPrivateCa } = await import('../certs/issuing.js');
  await revokeWithPrivateCa(authority, serialNumber, 'CESSATION_OF_OPERATION');
}

async function requireSubscriber(access: RegistryAccess, name: string): Promise<SubscriberRecord> {
  const registry = await readRegistry(access.settings, access.registryTopic, access.signal);
  const record = registry.get(name);
  if (!record) {
    const known = [...registry.values()].filter((r) => !isRemoved(r)).map((r) => r.name);
    throw new KfeedError('notFound', `no subscriber named ${name}`, {
      hint: known.length ? `known: ${known.join(', ')}` : 'add one with `kfeed subscriber add`',
    });
  }
  if (isRemoved(record)) {
    throw new KfeedError('notFound', `subscriber ${name} was removed on ${record.removedAt}`, {
      hint: `add it again with \`kfeed subscriber add ${name}\``,
    });
  }
  return record;
}

export interface RenewSubscriberInput {
  name: string;
  csr: ParsedCsr;
  csrFile: string;
  authority: CertificateAuthority;
  validityDays: number;
  out: string;
  force: boolean;
}

export interface RenewSubscriberResult {
  subscriber: SubscriberRecord;
  certificate: SubscriberCertificate;
  file: string;
}

/** A new certificate for the same subject; the old ones keep working until they expire or are revoked. */
export async function renewSubscriber(
  access: RegistryAccess,
  input: RenewSubscriberInput,
): Promise<RenewSubscriberResult> {
  checkSubscriberCsr(input.csr, input.csrFile);
  if (!input.force && fs.existsSync(input.out)) {
    throw new KfeedError('conflict', `${input.out} already exists`, {
      hint: 'move it away, pass --out FILE, or --force to replace it',
    });
  }
  const record = await requireSubscriber(access, input.name);
  if (record.auth === 'iam') {
    throw new KfeedError(
      'usage',
      `subscriber ${input.name} connects with IAM (${record.principal}): it has no certificate`,
      {
        hint: 'its access follows its IAM policy; nothing to renew',
      },
    );
  }
  const principal = `User:${input.csr.subject}`;
  if (principal !== record.principal) {
    throw new KfeedError(
      'usage',
      `the CSR's subject gives ${principal}, but subscriber ${input.name} is ${record.principal}`,
      {
        hint: 'renewal keeps the subject (its ACLs name it): make the CSR with the same subject',
      },
    );
  }
  const tx = new Transaction(access.translate);
  const issued = await tx.step(
    'issuing the certificate',
    async () =>
      (await import('../certs/issuing.js')).issueFromCsr(input.csr, input.authority, {
        validityDays: input.validityDays,
        signal: access.signal,
        onProgress: access.onProgress,
      }),
    (outcome) => ({
      what: `certificate ${outcome.result.info.serialNumber} revoked`,
      run: () => revokeIfPossible(input.authority, outcome.result.info.serialNumber),
    }),
  );
  await tx.step(
    'writing the certificate',
    async () => writeFileAtomic(input.out, issued.result.pem, { exclusive: !input.force }),
    () => ({ what: `${input.out} removed`, run: async () => fs.rmSync(input.out, { force: true }) }),
  );
  const now = new Date().toISOString();
  const certificate = certificateEntry(issued, now);
  const updated: SubscriberRecord = {
    ...record,
    certificates: [...record.certificates, certificate],
    updatedAt: now,
    updatedBy: access.operator,
  };
  await tx.step('recording the renewal', () => writeRegistryRecord(access.settings, access.registryTopic, updated));
  return { subscriber: updated, certificate, file: path.resolve(input.out) };
}

export interface RemoveSubscriberInput {
  name: string;
  /** Revoke the subscriber's Private CA certificates with this reason. */
  revoke?: { reason: RevocationReason; endpointUrl?: string; region?: string; env: NodeJS.ProcessEnv };
}

export interface RemoveSubscriberResult {
  subscriber: SubscriberRecord;
  aclsRemoved: AclBinding[];
  revoked: string[];
  /** Certificates that could not be revoked (a local CA has no revocation list). */
  notRevoked: Array<{ serialNumber: string; why: string }>;
  /** IAM subscribers: the principal whose kfeed policy must be detached in IAM to cut it off. */
  iamPrincipalToDetach?: string;
}

/** Cuts a subscriber off: exactly its ACLs go; its certificates are revoked when asked; the record stays as removed. */
export async function removeSubscriber(
  access: RegistryAccess,
  input: RemoveSubscriberInput,
): Promise<RemoveSubscriberResult> {
  const record = await requireSubscriber(access, input.name);
  const admin = await createAdmin(access.settings);
  let aclsRemoved: AclBinding[];
  try {
    aclsRemoved = await deleteBindings(admin, subscriberBindings(record));
  } finally {
    await closeQuietly(admin);
  }
  const now = new Date().toISOString();
  const revoked: string[] = [];
  const notRevoked: RemoveSubscriberResult['notRevoked'] = [];
  const certificates = [...record.certificates];
  if (input.revoke) {
    const { revokeWithPrivateCa } = await import('../certs/issuing.js');
    for (const [i, cert] of certificates.entries()) {
      if (cert.revokedAt) continue;
      if (!cert.ca.startsWith('arn:')) {
        notRevoked.push({
          serialNumber: cert.serialNumber,
          why: `issued by the local CA ${cert.ca}, which keeps no revocation list`,
        });
        continue;
      }
      try {
        await revokeWithPrivateCa({ arn: cert.ca, ...input.revoke }, cert.serialNumber, input.revoke.reason);
      } catch (error) {
        // The ACLs are gone already; record what was revoked before saying what was not.
        notRevoked.push({ serialNumber: cert.serialNumber, why: messageOf(error) });
        continue;
      }
      certificates[i] = { ...cert, revokedAt: now, revocationReason: input.revoke.reason };
      revoked.push(cert.serialNumber);
    }
  }
  const removed: SubscriberRecord = {
    ...record,
    certificates,
    updatedAt: now,
    updatedBy: access.operator,
    removedAt: now,
    removedBy: access.operator,
  };
  await writeRegistryRecord(access.settings, access.registryTopic, removed);
  return {
    subscriber: removed,
    aclsRemoved,
    revoked,
    notRevoked,
    ...(record.auth === 'iam' ? { iamPrincipalToDetach: record.principal } : {}),
  };
}

export type SubscriberState = 'active' | 'expiring' | 'expired' | 'removed';

/** Lag of one consumer group, as the group commands compute it. */
export interface GroupLag {
  group: string;
  lag: number;
  /** Null when the time of the first unread record could not be read. */
  lagSeconds: number | null;
}

export interface SubscriberView {
  name: string;
  principal: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  groups: GroupLag[];
  lag: number | null;
  lagSeconds: number | null;
  certificate: SubscriberCertificate | null;
  daysLeft: number | null;
  state: SubscriberState;
  missingAcls: AclBinding[];
  record: SubscriberRecord;
}

export interface SubscriberOverview {
  registryTopic: string;
  subscribers: SubscriberView[];
  drift: {
    /** Principals that hold ACLs but are no (active) subscriber. */
    unknownPrincipals: Array<{ principal: string; acls: AclBinding[] }>;
    /** Active subscribers whose ACLs are missing. */
    missingAcls: Array<{ name: string; acls: AclBinding[] }>;
  };
}

/** Reads the registry once, the ACLs once and the groups' lag in bulk, and puts them together. */
export async function subscriberOverview(
  access: RegistryAccess,
  options: {
    expiringDays: number;
    now?: Date;
    groupLag: (prefixes: string[]) => Promise<GroupLag[]>;
    ignorePrincipals?: string[];
  },
): Promise<SubscriberOverview> {
  const now = options.now ?? new Date();
  const registry = await readRegistry(access.settings, access.registryTopic, access.signal);
  const admin = await createAdmin(access.settings);
  let acls: AclBinding[];
  try {
    acls = await listAcls(admin);
  } finally {
    await closeQuietly(admin);
  }
  const records = [...registry.values()].sort((a, b) => a.name.localeCompare(b.name));
  const active = records.filter((r) => !isRemoved(r));
  const lags = await options.groupLag(active.filter((r) => r.role === 'consumer').map((r) => r.groupPrefix));
  const held = new Set(acls.map(bindingKey));
  const subscribers = records.map((record): SubscriberView => {
    const certificate = currentCertificate(record, now);
    const daysLeft = certificate ? Math.floor((Date.parse(certificate.notAfter) - now.getTime()) / 86_400_000) : null;
    const expected = isRemoved(record) ? [] : subscriberBindings(record).map(describeBinding);
    const groups =
      record.role === 'consumer' && !isRemoved(record)
        ? lags.filter((g) => g.group.startsWith(record.groupPrefix))
        : [];
    return {
      name: record.name,
      principal: record.principal,
      role: record.role,
      topics: record.topics,
      groupPrefix: record.groupPrefix,
      groups,
      lag: groups.length ? groups.reduce((sum, g) => sum + g.lag, 0) : null,
      lagSeconds: maxOf(groups.map((g) => g.lagSeconds)),
      certificate,
      daysLeft,
      state: stateOf(record, certificate, now, options.expiringDays),
      missingAcls: expected.filter((b) => !held.has(bindingKey(b))),
      record,
    };
  });
  const known = new Set([...active.map((r) => r.principal), ...(options.ignorePrincipals ?? [])]);
  const unknown = new Map<string, AclBinding[]>();
  for (const binding of acls) {
    if (known.has(binding.principal)) continue;
    unknown.set(binding.principal, [...(unknown.get(binding.principal) ?? []), binding]);
  }
  return {
    registryTopic: access.registryTopic,
    subscribers,
    drift: {
      unknownPrincipals: [...unknown].map(([principal, list]) => ({ principal, acls: list })),
      missingAcls: subscribers.filter((s) => s.missingAcls.length).map((s) => ({ name: s.name, acls: s.missingAcls })),
    },
  };
}

function maxOf(values: Array<number | null>): number | null {
  const known = values.filter((v): v is number => v !== null);
  return known.length ? Math.max(...known) : null;
}

/** The certificate that is valid longest: what the client most likely uses now. */
function currentCertificate(record: SubscriberRecord, now: Date): SubscriberCertificate | null {
  const usable = record.certificates.filter((c) => !c.revokedAt && Date.parse(c.notBefore) <= now.getTime());
  const pool = usable.length ? usable : record.certificates;
  return pool.reduce<SubscriberCertificate | null>(
    (best, c) => (!best || Date.parse(c.notAfter) > Date.parse(best.notAfter) ? c : best),
    null,
  );
}

export interface AddIamSubscriberInput {
  name: string;
  /** The AWS principal (role or user ARN) the client connects as. */
  principalArn: string;
  clusterArn: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  bootstrap: string[];
  outDir: string;
}

export interface AddIamSubscriberResult {
  subscriber: SubscriberRecord;
  policy: IamPolicyDocument;
  bundle: { dir: string; files: string[] };
  registryTopic: string;
}

/**
 * Onboards an IAM client: no certificate and no ACLs (IAM clients are authorized by IAM
 * policies), but the least-privilege policy in its bundle, and the same registry record.
 */
export async function addIamSubscriber(
  access: RegistryAccess,
  input: AddIamSubscriberInput,
): Promise<AddIamSubscriberResult> {
  const { settings, registryTopic } = access;
  const { buildClientPolicy, parseClusterArn } = await import('../aws/iam-policy.js');
  const policy = buildClientPolicy({
    clusterArn: input.clusterArn,
    topics: input.topics,
    role: input.role,
    groupPrefix: input.groupPrefix,
  });
  checkBundleDir(input.outDir);
  const admin = await createAdmin(settings);
  try {
    await requireTopics(admin, input.topics);
    const registry = await readRegistry(settings, registryTopic, access.signal);
    const previous = checkNewSubscriber(registry, input.name, input.principalArn);
    const now = new Date().toISOString();
    const record: SubscriberRecord = {
      format: RECORD_FORMAT,
      name: input.name,
      principal: input.principalArn,
      role: input.role,
      topics: input.topics,
      groupPrefix: input.groupPrefix,
      auth: 'iam',
      clusterArn: input.clusterArn,
      certificates: previous?.certificates ?? [],
      createdAt: now,
      createdBy: access.operator,
      updatedAt: now,
      updatedBy: access.operator,
    };
    const files = renderIamBundle({
      record,
      policy,
      bootstrap: input.bootstrap,
      region: parseClusterArn(input.clusterArn).region,
    });
    const tx = new Transaction(access.translate);
    const written = await bundleThenRecord(tx, access, admin, { outDir: input.outDir, files, record });
    return { subscriber: record, policy, bundle: { dir: path.resolve(input.outDir), files: written }, registryTopic };
  } finally {
    await closeQuietly(admin);
  }
}

function stateOf(
  record: SubscriberRecord,
  certificate: SubscriberCertificate | null,
  now: Date,
  expiringDays: number,
): SubscriberState {
  if (isRemoved(record)) return 'removed';
  // An IAM client holds no certificate: its access lasts as long as its policy is attached.
  if (record.auth === 'iam' && !certificate) return 'active';
  if (!certificate || certificate.revokedAt || Date.parse(certificate.notAfter) <= now.getTime()) return 'expired';
  return Date.parse(certificate.notAfter) - now.getTime() <= expiringDays * 86_400_000 ? 'expiring' : 'active';
}
