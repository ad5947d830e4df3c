import fs from 'node:fs';
import path from 'node:path';
import { createLocalCa, generateRsaKeyPem, issueWithLocalCa, publicKeyOf, CA_CERT_FILE } from '../certs/local-ca.js';
import { kafkaPrincipalOfCertificate } from '../certs/principal.js';
import { readUserFile, writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
import type { LocalClusterState } from './state.js';

/** The cluster's own CA, the brokers' keystore and the admin (super user) certificate. */
export async function makeCertificates(
  dir: string,
  name: string,
): Promise<Pick<LocalClusterState, 'files' | 'principals'>> {
  const tlsDir = path.join(dir, 'tls');
  const caDir = path.join(tlsDir, 'ca');
  const ca = await createLocalCa(caDir, { commonName: `kfeed local CA (${name})`, organization: 'kfeed' });
  const brokerKey = generateRsaKeyPem(2048);
  const { certificatePem: brokerCert } = await issueWithLocalCa(ca, {
    publicKeyPem: publicKeyOf(brokerKey),
    subject: { CN: 'localhost', O: 'kfeed local broker' },
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    days: 825,
    usage: 'both', // brokers are clients of each other on the replication listener
  });
  const adminKey = generateRsaKeyPem(2048);
  const { certificatePem: adminCert } = await issueWithLocalCa(ca, {
    publicKeyPem: publicKeyOf(adminKey),
    subject: { CN: 'kfeed-admin', O: 'kfeed local' },
    days: 825,
    usage: 'client',
  });
  const files: LocalClusterState['files'] = {
    ca: path.join(caDir, CA_CERT_FILE),
    caKey: path.join(caDir, 'ca-key.pem'),
    // Kafka's PEM keystore: unencrypted PKCS#8 key followed by its chain.
    brokerKeystore: path.join(tlsDir, 'broker-keystore.pem'),
    clientCert: path.join(tlsDir, 'admin-cert.pem'),
    clientKey: path.join(tlsDir, 'admin-key.pem'),
  };
  writeFileAtomic(files.brokerKeystore, brokerKey + brokerCert + ca.certPem, { mode: 0o600 });
  writeFileAtomic(files.clientCert, adminCert + ca.certPem);
  writeFileAtomic(files.clientKey, adminKey, { mode: 0o600 });
  return {
    files,
    principals: { broker: kafkaPrincipalOfCertificate(brokerCert), admin: kafkaPrincipalOfCertificate(adminCert) },
  };
}

/** Reads the extra CAs for the brokers' truststore, before anything is written. */
export function readTrustedCas(files: string[]): string[] {
  return files.map((file) => {
    const text = readUserFile(file, 'CA file');
    if (!/-----BEGIN CERTIFICATE-----/.test(text)) {
      throw new KfeedError('usage', `${file} holds no PEM certificate`, {
        hint: 'pass a CA certificate in PEM form to --trust-ca',
      });
    }
    return text.endsWith('\n') ? text : text + '\n';
  });
}

/** The brokers' truststore: the cluster's own CA followed by the extra CAs. */
export function writeTruststore(dir: string, ownCa: string, extraPems: string[]): string {
  const file = path.join(dir, 'tls', 'truststore.pem');
  writeFileAtomic(file, fs.readFileSync(ownCa, 'utf8') + extraPems.join(''));
  return file;
}
