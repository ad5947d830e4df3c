import type { Admin } from '@platformatic/kafka';
import type { CertificateAuthority } from '../certs/issuing.js';
import type { ParsedCsr } from '../certs/csr.js';
import { describeKey } from '../certs/keys.js';
import type { ConnectionSettings } from '../config/connection.js';
import { KfeedError } from '../errors.js';
import { createBindings, deleteBindings, type AclBinding } from '../kafka/acls.js';
import { appendHistory, ensureHistoryTopic, historyTopicOf, HISTORY_FORMAT, type SubscriberEvent } from './history.js';
import {
  ensureRegistryTopic,
  generationOf,
  isRemoved,
  readRegistry,
  restoreRegistryRecord,
  writeRegistryRecord,
  type SubscriberCertificate,
  type SubscriberRecord,
} from './registry.js';
import type { Transaction, Undo } from './transaction.js';

/** What every subscriber step needs: a connection with admin rights, the registry and its history. */
export interface RegistryAccess {
  settings: ConnectionSettings;
  registryTopic: string;
  historyTopic: string;
  /** The operator's principal, recorded as who made each change. */
  operator: string;
  signal?: AbortSignal;
  onProgress?: (text: string) => void;
  /** Turns a client library's error into a KfeedError (the caller knows the connection). */
  translate: (error: unknown) => KfeedError;
}

/** An admin connection to the cluster of `settings` and the registry (and history) on it. */
export async function openRegistryAccess(
  settings: ConnectionSettings,
  registryTopic: string,
  signal?: AbortSignal,
): Promise<RegistryAccess> {
  const [{ translateKafkaError }, { kafkaPrincipalOfCertificate }, { operatorPrincipal }] = await Promise.all([
    import('../kafka/errors.js'),
    import('../certs/principal.js'),
    import('./registry.js'),
  ]);
  return {
    settings,
    registryTopic,
    historyTopic: historyTopicOf(registryTopic),
    operator: operatorPrincipal(settings, kafkaPrincipalOfCertificate),
    signal,
    translate: (error) => translateKafkaError(error, settings),
  };
}

/** Runs `work` with an admin client of the registry's cluster, always closing it. */
export async function withRegistryAdmin<T>(access: RegistryAccess, work: (admin: Admin) => Promise<T>): Promise<T> {
  const { withAdmin } = await import('../kafka/client.js');
  return withAdmin(access.settings, work);
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

/** The active subscriber of that name, or one line saying there is none. */
export async function requireSubscriber(access: RegistryAccess, name: string): Promise<SubscriberRecord> {
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
      hint:
        `its history: \`kfeed subscriber show ${name} --history\`; ` +
        `to use the name again: \`kfeed subscriber add ${name} --reuse-name\``,
    });
  }
  return record;
}

type Issued = Awaited<ReturnType<typeof import('../certs/issuing.js').issueFromCsr>>;

/** Issues a certificate from the CSR as the step `certificate`: revoked (Private CA) if a later step fails. */
export async function issueStep(
  tx: Transaction,
  access: RegistryAccess,
  input: { csr: ParsedCsr; authority: CertificateAuthority; validityDays: number },
): Promise<Issued> {
  return tx.step(
    'certificate',
    'issuing the certificate',
    async () => {
      const { issueFromCsr } = await import('../certs/issuing.js');
      return issueFromCsr(input.csr, input.authority, {
        validityDays: input.validityDays,
        signal: access.signal,
        onProgress: access.onProgress,
      });
    },
    (outcome) => certificateUndo(input.authority, outcome.result.info.serialNumber),
  );
}

/**
 * Taking a certificate back: a Private CA revokes it; a local CA keeps no revocation list, so
 * its certificate stays valid (it opens nothing once its ACLs are gone) and is said to be so.
 */
function certificateUndo(authority: CertificateAuthority, serialNumber: string): Undo {
  if (authority.kind !== 'pca') return { cannot: `certificate ${serialNumber} ${NOT_REVOCABLE}` };
  return {
    what: `certificate ${serialNumber} revoked`,
    run: async () => {
      const { revokeWithPrivateCa } = await import('../certs/issuing.js');
      await revokeWithPrivateCa(authority, serialNumber, 'CESSATION_OF_OPERATION');
    },
  };
}

/** How kfeed names a certificate a local CA issued, wherever revocation comes up. */
export const NOT_REVOCABLE = 'not revocable (local CA keeps no list)';

export function certificateEntry(issued: Issued, now: string): SubscriberCertificate {
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

/** A history event for a change `access.operator` made just now to `record`. */
export function eventOf(
  access: RegistryAccess,
  record: SubscriberRecord,
  change: Pick<SubscriberEvent, 'action' | 'what' | 'reused' | 'aclsGranted' | 'aclsDeleted'>,
): SubscriberEvent {
  const event: SubscriberEvent = {
    format: HISTORY_FORMAT,
    name: record.name,
    generation: generationOf(record),
    action: change.action,
    at: record.updatedAt,
    by: access.operator,
    what: change.what,
    record,
  };
  if (change.reused?.length) event.reused = change.reused;
  if (change.aclsGranted?.length) event.aclsGranted = change.aclsGranted;
  if (change.aclsDeleted?.length) event.aclsDeleted = change.aclsDeleted;
  return event;
}

/**
 * The last two steps of a change: the registry record (taken back if the history fails),
 * then the history event, the commit point.
 */
export async function recordThenHistory(
  tx: Transaction,
  access: RegistryAccess,
  change: { record: SubscriberRecord; previous: SubscriberRecord | undefined; event: SubscriberEvent },
): Promise<void> {
  await tx.step(
    'record',
    'recording the subscriber',
    async () => {
      await withRegistryAdmin(access, (admin) => ensureRegistryTopic(admin, access.registryTopic));
      await writeRegistryRecord(access.settings, access.registryTopic, change.record);
    },
    () => ({
      what: change.previous ? 'registry record restored' : 'registry record taken back',
      run: () => restoreRegistryRecord(access.settings, access.registryTopic, change.record.name, change.previous),
    }),
  );
  await tx.step('history', 'recording the history', () => appendEventTo(access, change.event));
}

export async function appendEventTo(access: RegistryAccess, event: SubscriberEvent): Promise<void> {
  await withRegistryAdmin(access, (admin) => ensureHistoryTopic(admin, access.historyTopic));
  await appendHistory(access.settings, access.historyTopic, event);
}

/** Grants `bindings` as a step (`id`, described as `name`); a later failure deletes them again. */
export async function grantStep(
  tx: Transaction,
  admin: Admin,
  bindings: AclBinding[],
  step: { id: string; name: string } = { id: 'acls', name: 'granting the ACLs' },
): Promise<void> {
  await tx.step(
    step.id,
    step.name,
    () => createBindings(admin, bindings),
    () => ({
      what: `${bindings.length} ACL(s) removed`,
      run: async () => void (await deleteBindings(admin, bindings)),
    }),
  );
}

/** Deletes `bindings` as a step; a later failure grants what it deleted again. */
export async function deleteStep(
  tx: Transaction,
  admin: Admin,
  bindings: AclBinding[],
  step: { id: string; name: string } = { id: 'acls', name: 'deleting the ACLs' },
): Promise<AclBinding[]> {
  return tx.step(
    step.id,
    step.name,
    () => deleteBindings(admin, bindings),
    (deleted) => ({ what: `${deleted.length} ACL(s) put back`, run: () => createBindings(admin, deleted) }),
  );
}
