import crypto from 'node:crypto';
import type { ACMPCAClient } from '@aws-sdk/client-acm-pca';
import { KfeedError } from '../errors.js';
import { poll } from '../wait.js';
import { awsClientConfig, type AwsInput } from './config.js';
import { translateAwsError } from './errors.js';

export interface PrivateCa {
  arn: string;
  status: string;
  keyAlgorithm?: string;
  subject?: string;
  type?: string;
}

// arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/11111111-2222-3333-4444-555555555555
const CA_ARN = new RegExp(
  String.raw`^arn:aws[a-z-]*:acm-pca:[a-z]{2}(-[a-z]+)+-\d+:\d{12}:certificate-authority\/` +
    String.raw`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`,
);
const TEMPLATE_ARN = /^arn:aws[a-z-]*:acm-pca:::template\/[A-Za-z0-9_]+\/V\d+$/;

export function checkCaArn(arn: string): string {
  if (!CA_ARN.test(arn)) {
    throw new KfeedError('usage', `"${arn}" is not an AWS Private CA ARN`, {
      hint: 'it looks like arn:aws:acm-pca:REGION:ACCOUNT:certificate-authority/UUID',
    });
  }
  return arn;
}

export function checkTemplateArn(arn: string): string {
  if (!TEMPLATE_ARN.test(arn)) {
    throw new KfeedError('usage', `"${arn}" is not an AWS Private CA template ARN`, {
      hint: 'e.g. arn:aws:acm-pca:::template/EndEntityClientAuthCertificate/V1',
    });
  }
  return arn;
}

/** The signing algorithm must match the CA's key (not the CSR's): what the CA signs with. */
export function signingAlgorithmFor(
  caKeyAlgorithm: string | undefined,
): 'SHA256WITHRSA' | 'SHA256WITHECDSA' | 'SHA384WITHECDSA' {
  if (caKeyAlgorithm?.startsWith('EC_secp384')) return 'SHA384WITHECDSA';
  if (caKeyAlgorithm?.startsWith('EC_')) return 'SHA256WITHECDSA';
  return 'SHA256WITHRSA';
}

/** A client for AWS Private CA; the SDK is loaded only when a command needs it. */
export class PrivateCaService {
  private constructor(
    private readonly client: ACMPCAClient,
    private readonly sdk: typeof import('@aws-sdk/client-acm-pca'),
    private readonly endpoint?: string,
  ) {}

  static async create(input: AwsInput): Promise<PrivateCaService> {
    const config = awsClientConfig({ ...input, service: 'ACM_PCA' });
    const sdk = await import('@aws-sdk/client-acm-pca');
    return new PrivateCaService(new sdk.ACMPCAClient(config), sdk, config.endpoint);
  }

  private async call<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      throw translateAwsError(error, what, this.endpoint);
    }
  }

  /** Every CA of the account in this region, any status. */
  async listCas(): Promise<PrivateCa[]> {
    return this.call('listing the private CAs', async () => {
      const cas: PrivateCa[] = [];
      for await (const page of this.sdk.paginateListCertificateAuthorities({ client: this.client }, {})) {
        for (const ca of page.CertificateAuthorities ?? []) {
          cas.push({
            arn: ca.Arn!,
            status: ca.Status ?? 'UNKNOWN',
            keyAlgorithm: ca.CertificateAuthorityConfiguration?.KeyAlgorithm,
            subject: ca.CertificateAuthorityConfiguration?.Subject?.CommonName,
            type: ca.Type,
          });
        }
      }
      return cas;
    });
  }

  async describeCa(arn: string): Promise<PrivateCa> {
    checkCaArn(arn);
    const result = await this.call(`looking up the CA ${arn}`, () =>
      this.client.send(new this.sdk.DescribeCertificateAuthorityCommand({ CertificateAuthorityArn: arn })),
    );
    const ca = result.CertificateAuthority!;
    return {
      arn,
      status: ca.Status ?? 'UNKNOWN',
      keyAlgorithm: ca.CertificateAuthorityConfiguration?.KeyAlgorithm,
      subject: ca.CertificateAuthorityConfiguration?.Subject?.CommonName,
      type: ca.Type,
    };
  }

  /** Checks that the CA can issue: it must be ACTIVE. */
  async requireActive(arn: string): Promise<PrivateCa> {
    const ca = await this.describeCa(arn);
    if (ca.status !== 'ACTIVE') {
      throw new KfeedError('aws', `the CA ${arn} is ${ca.status}, not ACTIVE: it cannot issue certificates`, {
        hint:
          ca.status === 'PENDING_CERTIFICATE'
            ? 'install its CA certificate first (ImportCertificateAuthorityCertificate)'
            : 'use an ACTIVE CA (kfeed issuecert lists them when --ca-arn is left out)',
      });
    }
    return ca;
  }

  /** Starts issuance and returns the new certificate's ARN. */
  async issue(input: {
    caArn: string;
    csrPem: string;
    signingAlgorithm: string;
    validityDays: number;
    templateArn?: string;
  }): Promise<string> {
    // The same CSR, CA and validity within AWS's idempotency window give the same certificate,
    // so a retried command does not issue twice.
    const token = crypto
      .createHash('sha256')
      .update(`${input.caArn}\n${input.validityDays}\n${input.templateArn ?? ''}\n${input.csrPem}`)
      .digest('hex')
      .slice(0, 36);
    const result = await this.call('issuing the certificate', () =>
      this.client.send(
        new this.sdk.IssueCertificateCommand({
          CertificateAuthorityArn: input.caArn,
          Csr: Buffer.from(input.csrPem, 'utf8'),
          SigningAlgorithm: input.signingAlgorithm as never,
          Validity: { Type: 'DAYS', Value: input.validityDays },
          ...(input.templateArn ? { TemplateArn: input.templateArn } : {}),
          IdempotencyToken: token,
        }),
      ),
    );
    return result.CertificateArn!;
  }

  /**
   * Waits until AWS has issued the certificate and returns it with its chain (issuing CA
   * first, root last), both PEM. GetCertificate answers RequestInProgressException until
   * then; `signal` (Ctrl-C) ends the wait at once.
   */
  async waitForCertificate(
    caArn: string,
    certificateArn: string,
    options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
  ): Promise<{ certificatePem: string; chainPem: string }> {
    const seconds = Math.round(options.timeoutMs / 1000);
    const waiting = poll(
      async () => {
        try {
          return await this.getCertificate(caArn, certificateArn, options.signal);
        } catch (error) {
          const name = (error as { cause?: { name?: string } }).cause?.name;
          if (name === 'RequestInProgressException') return undefined; // not issued yet
          if (name === 'RequestFailedException') {
            throw new KfeedError(
              'aws',
              `AWS refused to issue the certificate: ${(error as { cause?: Error }).cause?.message}`,
              { hint: 'check the CSR and the CA' },
            );
          }
          throw error;
        }
      },
      {
        what: `AWS to issue ${certificateArn}`,
        timeoutMs: options.timeoutMs,
        intervalMs: options.intervalMs ?? 1000,
        signal: options.signal,
        onTimeout: () =>
          new KfeedError('aws', `AWS did not issue ${certificateArn} within ${seconds} s`, {
            hint: 'run again with a larger --wait (the same CSR gives the same certificate)',
          }),
      },
    );
    return waiting.catch((error: unknown) => {
      if (error instanceof KfeedError && (error.kind === 'interrupted' || error.kind === 'terminated')) {
        // The request stands: AWS issues the certificate whether or not anyone waits.
        throw new KfeedError(error.kind, `stopped waiting for AWS to issue ${certificateArn}`, {
          hint: 'run the same command again to fetch it (the same CSR gives the same certificate)',
        });
      }
      throw error;
    });
  }

  /** The issued certificate and its chain (issuing CA first, root last), both PEM. */
  async getCertificate(
    caArn: string,
    certificateArn: string,
    signal?: AbortSignal,
  ): Promise<{ certificatePem: string; chainPem: string }> {
    const result = await this.call('fetching the certificate', () =>
      this.client.send(
        new this.sdk.GetCertificateCommand({ CertificateAuthorityArn: caArn, CertificateArn: certificateArn }),
        { abortSignal: signal },
      ),
    );
    const pem = (text: string | undefined) => (text ? (text.endsWith('\n') ? text : text + '\n') : '');
    return { certificatePem: pem(result.Certificate), chainPem: pem(result.CertificateChain) };
  }

  /** The CA's own certificate (and its chain), for when GetCertificate returns no chain. */
  async getCaCertificate(caArn: string): Promise<string> {
    const result = await this.call('fetching the CA certificate', () =>
      this.client.send(new this.sdk.GetCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: caArn })),
    );
    const join = [result.Certificate, result.CertificateChain]
      .filter(Boolean)
      .map((t) => (t!.endsWith('\n') ? t! : t + '\n'));
    return join.join('');
  }

  /** Revokes an issued certificate; the CA's CRL / OCSP then lists it. */
  async revoke(caArn: string, certificateSerial: string, reason: string): Promise<void> {
    await this.call(`revoking certificate ${certificateSerial}`, () =>
      this.client.send(
        new this.sdk.RevokeCertificateCommand({
          CertificateAuthorityArn: caArn,
          CertificateSerial: certificateSerial,
          RevocationReason: reason as never,
        }),
      ),
    );
  }

  destroy(): void {
    this.client.destroy();
  }
}
