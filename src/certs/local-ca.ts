import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';

/** A certificate authority kept on disk: `ca.pem` and `ca-key.pem` (0600) in one folder. */
export interface LocalCa {
  dir: string;
  certPem: string;
  keyPem: string;
}

export interface SubjectFields {
  CN?: string;
  OU?: string;
  O?: string;
  L?: string;
  ST?: string;
  C?: string;
}

export const CA_CERT_FILE = 'ca.pem';
export const CA_KEY_FILE = 'ca-key.pem';

/** An RSA key from Node's native generator, as unencrypted PKCS#8 PEM. */
export function generateRsaKeyPem(bits = 2048): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function attributes(subject: SubjectFields): forge.pki.CertificateField[] {
  const order: Array<keyof SubjectFields> = ['C', 'ST', 'L', 'O', 'OU', 'CN'];
  const names: Record<keyof SubjectFields, string> = {
    CN: 'commonName',
    OU: 'organizationalUnitName',
    O: 'organizationName',
    L: 'localityName',
    ST: 'stateOrProvinceName',
    C: 'countryName',
  };
  // UTF8String for text (what most CAs write); countryName must be PrintableString.
  return order
    .filter((k) => subject[k])
    .map((k) => ({ name: names[k], value: forge.util.encodeUtf8(subject[k] as string), valueTagClass: (k === 'C' ? forge.asn1.Type.PRINTABLESTRING : forge.asn1.Type.UTF8) as never }));
}

function serialNumber(): string {
  // Positive 16-byte serial: clear the top bit.
  const bytes = crypto.randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, days: number): void {
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60_000); // tolerate small clock skew
  cert.validity.notAfter = new Date(now + days * 86_400_000);
}

/** Makes a new self-signed CA (RSA 2048, SHA-256) and writes it to `dir`. */
export function createLocalCa(dir: string, options: { commonName: string; organization?: string; days?: number }): LocalCa {
  if (fs.existsSync(path.join(dir, CA_KEY_FILE))) {
    throw new KfeedError('conflict', `a CA already exists in ${dir}`, { hint: 'use it, or choose another folder' });
  }
  const keyPem = generateRsaKeyPem(2048);
  const key = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serialNumber();
  cert.publicKey = forge.pki.setRsaPublicKey(key.n, key.e);
  validity(cert, options.days ?? 3650);
  const subject = attributes({ CN: options.commonName, O: options.organization });
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key, forge.md.sha256.create());
  const certPem = forge.pki.certificateToPem(cert);
  writeFileAtomic(path.join(dir, CA_KEY_FILE), keyPem, { mode: 0o600, exclusive: true });
  writeFileAtomic(path.join(dir, CA_CERT_FILE), certPem);
  return { dir, certPem, keyPem };
}

export function loadLocalCa(dir: string): LocalCa {
  const certFile = path.join(dir, CA_CERT_FILE);
  const keyFile = path.join(dir, CA_KEY_FILE);
  if (!fs.existsSync(certFile) || !fs.existsSync(keyFile)) {
    throw new KfeedError('config', `${dir} holds no CA (${CA_CERT_FILE} and ${CA_KEY_FILE})`, {
      hint: 'make one with `kfeed ca init DIR`, or use the one `kfeed local up` made',
    });
  }
  return { dir, certPem: fs.readFileSync(certFile, 'utf8'), keyPem: fs.readFileSync(keyFile, 'utf8') };
}

export interface IssueRequest {
  /** The subject's public key, PEM (SPKI). RSA only here; EC goes through the CSR path. */
  publicKeyPem: string;
  subject: SubjectFields;
  dnsNames?: string[];
  ipAddresses?: string[];
  days: number;
  usage: 'server' | 'client' | 'both';
}

/** Signs a certificate for `request` with the CA, SHA-256. Returns the certificate PEM. */
export function issueWithLocalCa(ca: LocalCa, request: IssueRequest): string {
  const caKey = forge.pki.privateKeyFromPem(ca.keyPem);
  const caCert = forge.pki.certificateFromPem(ca.certPem);
  const cert = forge.pki.createCertificate();
  cert.serialNumber = serialNumber();
  cert.publicKey = forge.pki.publicKeyFromPem(request.publicKeyPem);
  validity(cert, request.days);
  cert.setSubject(attributes(request.subject));
  cert.setIssuer(caCert.subject.attributes);
  const altNames = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 2, value })),
    ...(request.ipAddresses ?? []).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    {
      name: 'extKeyUsage',
      serverAuth: request.usage !== 'client',
      clientAuth: request.usage !== 'server',
    },
    ...(altNames.length ? [{ name: 'subjectAltName', altNames }] : []),
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

export function publicKeyOf(privateKeyPem: string): string {
  return crypto.createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }) as string;
}

export interface SignedCertificate {
  certificatePem: string;
  /** The issuing CA and any above it, nearest first. */
  chainPem: string;
}

/**
 * Signs a CSR (RSA or EC public key) with the local CA, for a client or server end entity,
 * the way an AWS Private CA end-entity template does: serverAuth + clientAuth, the CSR's
 * subject and subjectAltName, SHA-256.
 */
export async function signCsrWithLocalCa(ca: LocalCa, csr: { der: Buffer }, options: { days: number }): Promise<SignedCertificate> {
  const { x509 } = await import('./x509.js');
  const { cryptoKeyPair } = await import('./keys.js');
  const request = new x509.Pkcs10CertificateRequest(csr.der);
  const caCert = new x509.X509Certificate(ca.certPem);
  const { keys, algorithm } = await cryptoKeyPair(crypto.createPrivateKey(ca.keyPem));
  const sanRaw = request.getExtension('2.5.29.17');
  const rsaSubject = request.publicKey.algorithm.name.startsWith('RSA');
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: request.subjectName,
    issuer: caCert.subjectName,
    notBefore: new Date(now - 60_000), // tolerate small clock skew
    notAfter: new Date(now + options.days * 86_400_000),
    publicKey: request.publicKey,
    signingKey: keys.privateKey as never,
    signingAlgorithm: algorithm as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | (rsaSubject ? x509.KeyUsageFlags.keyEncipherment : 0), true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ...(sanRaw ? [sanRaw] : []),
      await x509.SubjectKeyIdentifierExtension.create(request.publicKey),
      await authorityKeyIdentifier(caCert),
    ],
  });
  return { certificatePem: certificate.toString('pem') + '\n', chainPem: ca.certPem.endsWith('\n') ? ca.certPem : ca.certPem + '\n' };
}

/** The CA's own key identifier when it states one, so chain builders match on it exactly. */
async function authorityKeyIdentifier(caCert: import('@peculiar/x509').X509Certificate) {
  const { x509 } = await import('./x509.js');
  const ski = caCert.getExtension('2.5.29.14');
  if (ski) return new x509.AuthorityKeyIdentifierExtension(new x509.SubjectKeyIdentifierExtension(ski.rawData).keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}
