import {
  ACMPCAClient,
  CreateCertificateAuthorityCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  waitUntilCertificateAuthorityCSRCreated,
  waitUntilCertificateIssued,
} from '@aws-sdk/client-acm-pca';

export interface TestPrivateCa {
  arn: string;
  /** The root certificate (PEM) of the CA. */
  certificatePem: string;
}

function client(env: Record<string, string>): ACMPCAClient {
  return new ACMPCAClient({
    endpoint: env.AWS_ENDPOINT_URL,
    region: env.AWS_REGION,
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID, secretAccessKey: env.AWS_SECRET_ACCESS_KEY },
  });
}

/** Creates a root CA in AWS Private CA (moto) and, unless `activate` is false, makes it ACTIVE the way ACM does. */
export async function createPrivateCa(
  env: Record<string, string>,
  options: { commonName: string; activate?: boolean },
): Promise<TestPrivateCa> {
  const pca = client(env);
  try {
    const created = await pca.send(
      new CreateCertificateAuthorityCommand({
        CertificateAuthorityType: 'ROOT',
        CertificateAuthorityConfiguration: {
          KeyAlgorithm: 'RSA_2048',
          SigningAlgorithm: 'SHA256WITHRSA',
          Subject: { CommonName: options.commonName, Organization: 'kfeed tests', Country: 'US' },
        },
      }),
    );
    const arn = created.CertificateAuthorityArn!;
    if (options.activate === false) return { arn, certificatePem: '' };
    await waitUntilCertificateAuthorityCSRCreated(
      { client: pca, maxWaitTime: 30, minDelay: 1 },
      { CertificateAuthorityArn: arn },
    );
    const { Csr } = await pca.send(new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: arn }));
    const issued = await pca.send(
      new IssueCertificateCommand({
        CertificateAuthorityArn: arn,
        Csr: Buffer.from(Csr!),
        SigningAlgorithm: 'SHA256WITHRSA',
        TemplateArn: 'arn:aws:acm-pca:::template/RootCACertificate/V1',
        Validity: { Type: 'YEARS', Value: 10 },
      }),
    );
    await waitUntilCertificateIssued(
      { client: pca, maxWaitTime: 30, minDelay: 1 },
      { CertificateAuthorityArn: arn, CertificateArn: issued.CertificateArn! },
    );
    const { Certificate } = await pca.send(
      new GetCertificateCommand({ CertificateAuthorityArn: arn, CertificateArn: issued.CertificateArn! }),
    );
    await pca.send(
      new ImportCertificateAuthorityCertificateCommand({
        CertificateAuthorityArn: arn,
        Certificate: Buffer.from(Certificate!),
      }),
    );
    return { arn, certificatePem: Certificate!.endsWith('\n') ? Certificate! : Certificate! + '\n' };
  } finally {
    pca.destroy();
  }
}
