import crypto from 'node:crypto';
import path from 'node:path';
import type { ParsedCsr } from './csr.js';
import type { IssuedCertificate } from './issue.js';
import type { ValidityMismatch } from './validity.js';

/** Which CA signs: a local CA folder (development) or an AWS Private CA. */
export type CertificateAuthority =
  | { kind: 'local'; dir: string }
  | {
      kind: 'pca';
      arn: string;
      templateArn?: string;
      waitSeconds: number;
      endpointUrl?: string;
      region?: string;
      env: NodeJS.ProcessEnv;
    };

export interface IssueOutcome {
  result: IssuedCertificate;
  /** The CA folder or ARN, as recorded. */
  ca: string;
  certificateArn?: string;
  /** Set when the validity asked for would have outlived a local CA: the certificate ends with the CA. */
  clampedToCa?: { requestedNotAfter: string; notAfter: string };
  /** Set when a Private CA issued another validity than the one asked for (by more than a day). */
  validityDiffers?: ValidityMismatch;
}

/**
 * Has `csr` signed by `authority` and checks what came back (the CSR's key, an unbroken
 * chain) before returning. Shared by `issuecert` and `subscriber add/renew`. An AWS wait that
 * `signal` stops says that the request stands (the same CSR gives the same certificate).
 */
export async function issueFromCsr(
  csr: ParsedCsr,
  authority: CertificateAuthority,
  options: { validityDays: number; signal?: AbortSignal; onProgress?: (text: string) => void },
): Promise<IssueOutcome> {
  const { checkIssuedCertificate } = await import('./issue.js');
  if (authority.kind === 'local') {
    const { loadLocalCa, signCsrWithLocalCa } = await import('./local-ca.js');
    const dir = path.resolve(authority.dir);
    const signed = await signCsrWithLocalCa(loadLocalCa(dir), csr, { days: options.validityDays });
    return {
      result: checkIssuedCertificate(csr, signed.certificatePem, signed.chainPem, `the local CA in ${dir}`),
      ca: dir,
      ...(signed.clampedToCa
        ? { clampedToCa: { requestedNotAfter: signed.clampedToCa.requestedNotAfter, notAfter: signed.notAfter } }
        : {}),
    };
  }
  const { PrivateCaService, checkCaArn, checkTemplateArn, signingAlgorithmFor } = await import('../aws/pca.js');
  checkCaArn(authority.arn);
  if (authority.templateArn) checkTemplateArn(authority.templateArn);
  const pca = await PrivateCaService.create({
    endpointUrl: authority.endpointUrl,
    region: authority.region,
    env: authority.env,
  });
  try {
    options.onProgress?.(`checking the private CA ${authority.arn}`);
    const ca = await pca.requireActive(authority.arn);
    options.onProgress?.(`issuing a certificate for ${csr.subject} with ${authority.arn}`);
    const requestedAt = Date.now();
    const certificateArn = await pca.issue({
      caArn: authority.arn,
      csrPem: csr.pem,
      signingAlgorithm: signingAlgorithmFor(ca.keyAlgorithm),
      validityDays: options.validityDays,
      templateArn: authority.templateArn,
    });
    options.onProgress?.('waiting for AWS to issue it');
    const fetched = await pca.waitForCertificate(authority.arn, certificateArn, {
      timeoutMs: authority.waitSeconds * 1000,
      signal: options.signal,
    });
    const chainPem = fetched.chainPem || (await pca.getCaCertificate(authority.arn));
    const result = checkIssuedCertificate(csr, fetched.certificatePem, chainPem, authority.arn);
    const { validityMismatch } = await import('./validity.js');
    const { certificatePems } = await import('./pem.js');
    const [issuerPem] = certificatePems(chainPem, `the chain from ${authority.arn}`);
    const validityDiffers = validityMismatch({
      requestedDays: options.validityDays,
      requestedAt,
      notAfter: result.info.notAfter,
      caNotAfter: new Date(new crypto.X509Certificate(issuerPem).validTo).toISOString(),
    });
    return { result, ca: authority.arn, certificateArn, ...(validityDiffers ? { validityDiffers } : {}) };
  } finally {
    pca.destroy();
  }
}

/** The account's Private CAs in a region (any status), for choosing one. */
export async function listPrivateCas(aws: { endpointUrl?: string; region?: string; env: NodeJS.ProcessEnv }) {
  const { PrivateCaService } = await import('../aws/pca.js');
  const pca = await PrivateCaService.create(aws);
  try {
    return await pca.listCas();
  } finally {
    pca.destroy();
  }
}

/** AWS Private CA's revocation reasons (RevokeCertificate's RevocationReason). */
export const REVOCATION_REASONS = [
  'UNSPECIFIED',
  'KEY_COMPROMISE',
  'CERTIFICATE_AUTHORITY_COMPROMISE',
  'AFFILIATION_CHANGED',
  'SUPERSEDED',
  'CESSATION_OF_OPERATION',
  'PRIVILEGE_WITHDRAWN',
  'A_A_COMPROMISE',
] as const;
export type RevocationReason = (typeof REVOCATION_REASONS)[number];

/**
 * Revokes a certificate that an AWS Private CA issued. `serialNumber` is hex as
 * `certificateInfo` gives it; AWS takes it as colon-separated hex pairs.
 */
export async function revokeWithPrivateCa(
  authority: { arn: string; endpointUrl?: string; region?: string; env: NodeJS.ProcessEnv },
  serialNumber: string,
  reason: RevocationReason,
): Promise<void> {
  const { PrivateCaService } = await import('../aws/pca.js');
  const pca = await PrivateCaService.create({
    endpointUrl: authority.endpointUrl,
    region: authority.region,
    env: authority.env,
  });
  try {
    await pca.revoke(authority.arn, awsSerial(serialNumber), reason);
  } finally {
    pca.destroy();
  }
}

/** `0a1b2c` -> `A1:B2:C`: the serial as a number in hex (no leading zeros), in pairs from the left. */
export function awsSerial(serialNumber: string): string {
  const hex = serialNumber
    .replace(/[^0-9a-fA-F]/g, '')
    .replace(/^0+(?=.)/, '')
    .toUpperCase();
  return (hex.match(/.{1,2}/g) ?? []).join(':');
}
