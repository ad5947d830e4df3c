import path from 'node:path';
import type { CertificateAuthority } from '../certs/issuing.js';
import type { ParsedCsr } from '../certs/csr.js';
import { KfeedError } from '../errors.js';
import { bundleStep, checkBundleDir, renderBundle } from './bundle.js';
import type { SubscriberCertificate, SubscriberRecord } from './registry.js';
import {
  certificateEntry,
  checkSubscriberCsr,
  eventOf,
  issueStep,
  recordThenHistory,
  requireSubscriber,
  type RegistryAccess,
} from './shared.js';
import { Transaction, type StepHook } from './transaction.js';

export interface RenewSubscriberInput {
  name: string;
  csr: ParsedCsr;
  csrFile: string;
  authority: CertificateAuthority;
  validityDays: number;
  /** The new bundle's folder: new or empty. */
  outDir: string;
  /** The brokers the bundle names: these, else those its add recorded, else `connectionBrokers`. */
  bootstrap?: string[];
  connectionBrokers: string[];
  /** The CAs that verify the brokers (the bundle's truststore); undefined for public roots (MSK). */
  brokerCaPem?: string;
  /** Tests only: called after each step that can be undone (see Transaction). */
  afterStep?: StepHook;
}

export interface RenewSubscriberResult {
  subscriber: SubscriberRecord;
  certificate: SubscriberCertificate;
  bundle: { dir: string; files: string[] };
}

/**
 * A new certificate for the same subject, in a fresh bundle for the client (its README names
 * the new expiry and serial); the old certificates keep working until they expire or are
 * revoked. Certificate, bundle, record, history: a failure undoes the steps before it.
 */
export async function renewSubscriber(
  access: RegistryAccess,
  input: RenewSubscriberInput,
): Promise<RenewSubscriberResult> {
  checkSubscriberCsr(input.csr, input.csrFile);
  checkBundleDir(input.outDir);
  const record = await requireSubscriber(access, input.name);
  if (record.auth === 'iam') {
    throw new KfeedError(
      'usage',
      `subscriber ${input.name} connects with IAM (${record.principal}): it has no certificate`,
      { hint: 'its access follows its IAM policy; nothing to renew' },
    );
  }
  const principal = `User:${input.csr.subject}`;
  if (principal !== record.principal) {
    throw new KfeedError(
      'usage',
      `the CSR's subject gives ${principal}, but subscriber ${input.name} is ${record.principal}`,
      { hint: 'renewal keeps the subject (its ACLs name it): make the CSR with the same subject' },
    );
  }
  const tx = new Transaction(access.translate, input.afterStep);
  const issued = await issueStep(tx, access, input);
  const now = new Date().toISOString();
  const certificate = certificateEntry(issued, now);
  const bootstrap = input.bootstrap ?? record.bootstrap ?? input.connectionBrokers;
  const updated: SubscriberRecord = {
    ...record,
    bootstrap,
    certificates: [...record.certificates, certificate],
    updatedAt: now,
    updatedBy: access.operator,
  };
  const files = renderBundle({
    record: updated,
    certificatePem: issued.result.pem,
    brokerCaPem: input.brokerCaPem,
    bootstrap,
  });
  const written = await bundleStep(tx, input.outDir, files);
  const what =
    `renewed: certificate ${certificate.serialNumber}, valid until ${certificate.notAfter}; ` +
    `bundle ${path.basename(input.outDir)}`;
  const event = eventOf(access, updated, { action: 'renew', what });
  await recordThenHistory(tx, access, { record: updated, previous: record, event });
  return { subscriber: updated, certificate, bundle: { dir: path.resolve(input.outDir), files: written } };
}
