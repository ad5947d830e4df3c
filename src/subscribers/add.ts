import path from 'node:path';
import type { IamPolicyDocument } from '../aws/iam-policy.js';
import type { CertificateAuthority } from '../certs/issuing.js';
import type { ParsedCsr } from '../certs/csr.js';
import { KfeedError } from '../errors.js';
import { listAcls, type AclBinding } from '../kafka/acls.js';
import { checkTopicName, requireTopics } from '../kafka/topics.js';
import { bindingKey, subscriberBindings } from './acls.js';
import { bundleStep, checkBundleDir, renderBundle, renderIamBundle } from './bundle.js';
import {
  checkContact,
  checkGroupPrefix,
  checkSubscriberName,
  generationOf,
  isRemoved,
  readRegistry,
  RECORD_FORMAT,
  SUBSCRIBER_ROLES,
  type SubscriberCertificate,
  type SubscriberRecord,
  type SubscriberRole,
} from './registry.js';
import {
  certificateEntry,
  checkSubscriberCsr,
  eventOf,
  grantStep,
  issueStep,
  recordThenHistory,
  withRegistryAdmin,
  type RegistryAccess,
} from './shared.js';
import { checkQuotaAllowed, quotaStep, quotaText, type SubscriberQuota } from './quota.js';
import { Transaction, type StepHook } from './transaction.js';

/** What every new subscriber names, whatever its authentication. */
interface NewSubscriberInput {
  name: string;
  role: SubscriberRole;
  topics: string[];
  groupPrefix: string;
  bootstrap: string[];
  outDir: string;
  /** Whom to tell about renewals (optional). */
  contact?: string;
  /** Use the name of a removed subscriber again: a new generation; the old one stays in the history. */
  reuseName?: boolean;
  /** Use the principal of a removed subscriber again (its old certificates then work again). */
  reusePrincipal?: boolean;
  /** A client quota on its principal (mTLS subscribers). */
  quota?: SubscriberQuota;
  /** Tests only: called after each step that can be undone (see Transaction). */
  afterStep?: StepHook;
}

export interface AddSubscriberInput extends NewSubscriberInput {
  csr: ParsedCsr;
  csrFile: string;
  authority: CertificateAuthority;
  validityDays: number;
  brokerCaPem?: string;
}

export interface AddSubscriberResult {
  subscriber: SubscriberRecord;
  aclsGranted: AclBinding[];
  bundle: { dir: string; files: string[] };
  registryTopic: string;
  /** What this add was allowed to use again (--reuse-name, --reuse-principal). */
  reused: Array<'name' | 'principal'>;
}

/** Everything a new subscriber names is checked before any step, so bad input changes nothing. */
function checkNewSubscriberInput(input: NewSubscriberInput): void {
  checkSubscriberName(input.name);
  if (!SUBSCRIBER_ROLES.includes(input.role))
    throw new KfeedError('usage', `"${String(input.role)}" is not a subscriber role`, {
      hint: `use ${SUBSCRIBER_ROLES.join(' or ')}`,
    });
  if (!input.topics.length)
    throw new KfeedError('usage', 'a subscriber needs at least one topic', { hint: 'pass --topics quote,trade' });
  for (const topic of input.topics) checkTopicName(topic);
  checkGroupPrefix(input.groupPrefix);
  if (input.contact !== undefined) checkContact(input.contact);
  checkBundleDir(input.outDir);
}

/** Principals that removed subscribers had (in the registry's records and their earlier generations). */
function removedPrincipals(registry: Map<string, SubscriberRecord>) {
  const found: Array<{ name: string; principal: string; removedAt: string; auth?: 'mtls' | 'iam' }> = [];
  for (const r of registry.values()) {
    if (isRemoved(r)) found.push({ name: r.name, principal: r.principal, removedAt: r.removedAt!, auth: r.auth });
    for (const g of r.previousGenerations ?? [])
      found.push({ name: r.name, principal: g.principal, removedAt: g.removedAt, auth: g.auth });
  }
  return found;
}

/**
 * The name must be free and the principal no active subscriber's. A removed subscriber's name
 * or principal is refused unless asked for (`reuseName`, `reusePrincipal`): a name carries its
 * history, and a principal its old certificates, which brokers accept again (they do not check
 * revocation) as soon as the principal holds ACLs.
 */
function checkNewSubscriber(
  registry: Map<string, SubscriberRecord>,
  input: NewSubscriberInput,
  principal: string,
): { previous: SubscriberRecord | undefined; reused: Array<'name' | 'principal'> } {
  const { name } = input;
  const reused: Array<'name' | 'principal'> = [];
  const previous = registry.get(name);
  if (previous && !isRemoved(previous)) {
    throw new KfeedError('conflict', `subscriber ${name} already exists (${previous.principal})`, {
      hint: `see it with \`kfeed subscriber show ${name}\`; a new certificate: \`kfeed subscriber renew\``,
    });
  }
  if (previous) {
    if (!input.reuseName) {
      throw new KfeedError(
        'conflict',
        `subscriber ${name} was removed on ${previous.removedAt} by ${previous.removedBy}, ` +
          'and its name keeps its history',
        {
          hint:
            `choose another name, or pass --reuse-name to start generation ${generationOf(previous) + 1} ` +
            `(\`kfeed subscriber show ${name} --history\` keeps showing the old one)`,
        },
      );
    }
    reused.push('name');
  }
  const samePrincipal = [...registry.values()].find((r) => !isRemoved(r) && r.principal === principal);
  if (samePrincipal) {
    throw new KfeedError('conflict', `subscriber ${samePrincipal.name} already has the principal ${principal}`, {
      hint: 'each subscriber needs an identity of its own (a certificate subject or an IAM principal)',
    });
  }
  const removed = removedPrincipals(registry).find((r) => r.principal === principal);
  if (removed) {
    if (!input.reusePrincipal) {
      const why =
        removed.auth === 'iam' || principal.startsWith('arn:')
          ? 'whoever can use that IAM identity would get in again'
          : 'every certificate ever issued with that subject would work again (brokers do not check revocation)';
      throw new KfeedError(
        'conflict',
        `${principal} was the principal of subscriber ${removed.name}, removed on ${removed.removedAt}: ${why}`,
        {
          hint: principal.startsWith('arn:')
            ? 'use another IAM role or user, or pass --reuse-principal if that is meant (the history records it)'
            : 'have the client make a CSR with a new subject, e.g. a serial or date in the CN ' +
              '(`kfeed makecsr --cn "acme feed reader 2"`), or pass --reuse-principal if that is meant ' +
              '(the history records it)',
        },
      );
    }
    reused.push('principal');
  }
  return { previous, reused };
}

/** The record of a new subscriber; a name used again starts a new generation with no old certificates. */
function newRecord(
  access: RegistryAccess,
  input: NewSubscriberInput,
  identity: { principal: string; auth?: 'iam'; clusterArn?: string; certificates: SubscriberCertificate[] },
  previous: SubscriberRecord | undefined,
  now: string,
): SubscriberRecord {
  return {
    format: RECORD_FORMAT,
    name: input.name,
    principal: identity.principal,
    role: input.role,
    topics: input.topics,
    groupPrefix: input.groupPrefix,
    ...(identity.auth ? { auth: identity.auth, clusterArn: identity.clusterArn } : {}),
    ...(input.contact ? { contact: input.contact } : {}),
    bootstrap: input.bootstrap,
    ...(input.quota ? { quota: input.quota } : {}),
    certificates: identity.certificates,
    createdAt: now,
    createdBy: access.operator,
    updatedAt: now,
    updatedBy: access.operator,
    ...(previous
      ? {
          generation: generationOf(previous) + 1,
          previousGenerations: [
            ...(previous.previousGenerations ?? []),
            {
              generation: generationOf(previous),
              principal: previous.principal,
              ...(previous.auth ? { auth: previous.auth } : {}),
              createdAt: previous.createdAt,
              removedAt: previous.removedAt!,
              removedBy: previous.removedBy!,
            },
          ],
        }
      : {}),
  };
}

/** The history's line for an add. */
function addedWhat(record: SubscriberRecord, reused: Array<'name' | 'principal'>, access: string): string {
  return [
    `added: ${record.role} of ${record.topics.join(', ')}` +
      (record.role === 'consumer' ? `, groups ${record.groupPrefix}*` : ''),
    access,
    ...(record.contact ? [`contact ${record.contact}`] : []),
    ...(reused.includes('name') ? [`name used again (generation ${generationOf(record)}, --reuse-name)`] : []),
    ...(reused.includes('principal') ? ['principal of a removed subscriber used again (--reuse-principal)'] : []),
  ].join('; ');
}

/**
 * Onboards a subscriber: certificate, ACLs, bundle, registry record, then the history event
 * (the commit point). Everything is checked first; a failure at any step undoes every step
 * before it exactly, and the one line says which step failed and what was undone.
 */
export async function addSubscriber(access: RegistryAccess, input: AddSubscriberInput): Promise<AddSubscriberResult> {
  checkNewSubscriberInput(input);
  checkSubscriberCsr(input.csr, input.csrFile);
  const principal = `User:${input.csr.subject}`;
  return withRegistryAdmin(access, async (admin) => {
    await requireTopics(admin, input.topics);
    const registry = await readRegistry(access.settings, access.registryTopic, access.signal);
    const { previous, reused } = checkNewSubscriber(registry, input, principal);
    const held = new Set((await listAcls(admin)).filter((b) => b.principal === principal).map(bindingKey));

    const tx = new Transaction(access.translate, input.afterStep);
    access.onProgress?.(`issuing a certificate for ${principal}`);
    const issued = await issueStep(tx, access, input);
    if (issued.result.info.principal !== principal) {
      await tx.step('check', 'checking the certificate', async () => {
        throw new KfeedError('verification', `the CA issued ${issued.result.info.principal}, not ${principal}`, {
          hint: 'the CA rewrote the subject: use a CA template that keeps the CSR subject',
        });
      });
    }
    const wanted = subscriberBindings({ principal, ...input });
    // Bindings the principal already held were not ours to add, so they are not ours to undo.
    const missing = wanted.filter((b) => !held.has(bindingKey(b)));
    access.onProgress?.(`granting ${input.role} ACLs on ${input.topics.join(', ')}`);
    await grantStep(tx, admin, missing);
    if (input.quota) await quotaStep(tx, admin, principal, input.role, input.quota);
    const now = new Date().toISOString();
    const certificate = certificateEntry(issued, now);
    const record = newRecord(access, input, { principal, certificates: [certificate] }, previous, now);
    const files = renderBundle({
      record,
      certificatePem: issued.result.pem,
      brokerCaPem: input.brokerCaPem,
      bootstrap: input.bootstrap,
    });
    const written = await bundleStep(tx, input.outDir, files);
    const what = addedWhat(
      record,
      reused,
      `certificate ${certificate.serialNumber}; ${missing.length} ACL(s) granted` +
        (input.quota ? `; quota ${quotaText(input.quota)}` : ''),
    );
    const event = eventOf(access, record, { action: 'add', what, reused, aclsGranted: missing });
    await recordThenHistory(tx, access, { record, previous, event });
    return {
      subscriber: record,
      aclsGranted: wanted,
      bundle: { dir: path.resolve(input.outDir), files: written },
      registryTopic: access.registryTopic,
      reused,
    };
  });
}

export interface AddIamSubscriberInput extends NewSubscriberInput {
  /** The AWS principal (role or user ARN) the client connects as. */
  principalArn: string;
  clusterArn: string;
}

export interface AddIamSubscriberResult {
  subscriber: SubscriberRecord;
  policy: IamPolicyDocument;
  bundle: { dir: string; files: string[] };
  registryTopic: string;
  reused: Array<'name' | 'principal'>;
}

/**
 * Onboards an IAM client: no certificate and no ACLs (IAM clients are authorized by IAM
 * policies), but the least-privilege policy in its bundle, and the same record and history.
 */
export async function addIamSubscriber(
  access: RegistryAccess,
  input: AddIamSubscriberInput,
): Promise<AddIamSubscriberResult> {
  checkNewSubscriberInput(input);
  if (input.quota) checkQuotaAllowed({ name: input.name, auth: 'iam', principal: input.principalArn });
  const { buildClientPolicy, parseClusterArn } = await import('../aws/iam-policy.js');
  const policy = buildClientPolicy({
    clusterArn: input.clusterArn,
    topics: input.topics,
    role: input.role,
    groupPrefix: input.groupPrefix,
  });
  const region = parseClusterArn(input.clusterArn).region;
  return withRegistryAdmin(access, async (admin) => {
    await requireTopics(admin, input.topics);
    const registry = await readRegistry(access.settings, access.registryTopic, access.signal);
    const { previous, reused } = checkNewSubscriber(registry, input, input.principalArn);
    const now = new Date().toISOString();
    const identity = { principal: input.principalArn, auth: 'iam' as const, clusterArn: input.clusterArn };
    const record = newRecord(access, input, { ...identity, certificates: [] }, previous, now);
    const files = renderIamBundle({ record, policy, bootstrap: input.bootstrap, region });
    const tx = new Transaction(access.translate, input.afterStep);
    const written = await bundleStep(tx, input.outDir, files);
    const what = addedWhat(record, reused, `IAM policy of ${policy.Statement.length} statements in the bundle`);
    await recordThenHistory(tx, access, {
      record,
      previous,
      event: eventOf(access, record, { action: 'add', what, reused }),
    });
    return {
      subscriber: record,
      policy,
      bundle: { dir: path.resolve(input.outDir), files: written },
      registryTopic: access.registryTopic,
      reused,
    };
  });
}
