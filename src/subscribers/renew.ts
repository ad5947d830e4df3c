import fs from 'node:fs';
import path from 'node:path';
import type { CertificateAuthority } from '../certs/issuing.js';
import type { ParsedCsr } from '../certs/csr.js';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
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
  out: string;
  force: boolean;
  /** Tests only: called after each step that can be undone (see Transaction). */
  afterStep?: StepHook;
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
  const before = fs.existsSync(input.out) ? fs.readFileSync(input.out) : undefined;
  await tx.step(
    'file',
    'writing the certificate',
    async () => writeFileAtomic(input.out, issued.result.pem, { exclusive: !input.force }),
    () => ({
      what: before ? `${input.out} put back` : `${input.out} removed`,
      run: async () => (before ? writeFileAtomic(input.out, before) : fs.rmSync(input.out, { force: true })),
    }),
  );
  const now = new Date().toISOString();
  const certificate = certificateEntry(issued, now);
  const updated: SubscriberRecord = {
    ...record,
    certificates: [...record.certificates, certificate],
    updatedAt: now,
    updatedBy: access.operator,
  };
  const what = `renewed: certificate ${certificate.serialNumber}, valid until ${certificate.notAfter}`;
  const event = eventOf(access, updated, { action: 'renew', what });
  await recordThenHistory(tx, access, { record: updated, previous: record, event });
  return { subscriber: updated, certificate, file: path.resolve(input.out) };
}
