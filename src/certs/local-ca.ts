import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
import { derBytes } from './asn1.js';
import { subjectName } from './subject.js';

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

const DAY_MS = 86_400_000;
/** Certificates start a minute in the past, so that small clock skew between hosts does not matter. */
const SKEW_MS = 60_000;

/** An RSA key from Node's native generator, as unencrypted PKCS#8 PEM. */
export function generateRsaKeyPem(bits = 2048): string {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: bits, publicExponent: 0x10001 });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function serialNumber(): string {
  // Positive 16-byte serial: clear the top bit.
  const bytes = crypto.randomBytes(16);
  bytes[0] &= 0x7f;
  return bytes.toString('hex');
}

/** The Name DER kfeed writes everywhere (UTF8String values, PrintableString country), for @peculiar/x509. */
async function x509Name(subject: SubjectFields) {
  const { x509 } = await import('./x509.js');
  return new x509.Name(derBytes(subjectName(subject)));
}

/** Makes a new self-signed CA (RSA 2048, SHA-256) and writes it to `dir`. */
export async function createLocalCa(
  dir: string,
  options: { commonName: string; organization?: string; days?: number },
): Promise<LocalCa> {
  if (fs.existsSync(path.join(dir, CA_KEY_FILE))) {
    throw new KfeedError('conflict', `a CA already exists in ${dir}`, { hint: 'use it, or choose another folder' });
  }
  const { x509 } = await import('./x509.js');
  const { cryptoKeyPair } = await import('./keys.js');
  const keyPem = generateRsaKeyPem(2048);
  const { keys, algorithm } = await cryptoKeyPair(crypto.createPrivateKey(keyPem));
  const now = Date.now();
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serialNumber(),
    name: await x509Name({ CN: options.commonName, O: options.organization }),
    notBefore: new Date(now - SKEW_MS),
    notAfter: new Date(now + (options.days ?? 3650) * DAY_MS),
    keys: keys as never,
    signingAlgorithm: algorithm as never,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  const certPem = certificate.toString('pem') + '\n';
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
  /** The subject's public key, PEM (SPKI), RSA or EC. */
  publicKeyPem: string;
  subject: SubjectFields;
  dnsNames?: string[];
  ipAddresses?: string[];
  days: number;
  usage: 'server' | 'client' | 'both';
}

export interface SignedCertificate {
  certificatePem: string;
  /** The issuing CA and any above it, nearest first. */
  chainPem: string;
  notAfter: string;
  /** Set when the validity asked for would have outlived the CA: the certificate ends with the CA instead. */
  clampedToCa?: { requestedNotAfter: string };
}

interface SignInput {
  /** The subject Name as DER, or as a Name taken from a CSR. */
  subject: import('@peculiar/x509').Name;
  /** SubjectPublicKeyInfo DER. */
  publicKey: ArrayBuffer | Buffer;
  subjectAltName?: import('@peculiar/x509').Extension;
  days: number;
  usage: 'server' | 'client' | 'both';
}

/**
 * The one signer of the local CA (RSA or EC subjects, SHA-256 for RSA and P-256 CAs), shaped
 * like an AWS Private CA end-entity template. A certificate never outlives the CA that signed
 * it: a longer validity is cut to the CA's own end, and the result says so.
 */
async function signWithLocalCa(ca: LocalCa, input: SignInput, now = Date.now()): Promise<SignedCertificate> {
  const { x509 } = await import('./x509.js');
  const { cryptoKeyPair } = await import('./keys.js');
  const caCert = new x509.X509Certificate(ca.certPem);
  if (caCert.notAfter.getTime() <= now) {
    throw new KfeedError('config', `the CA in ${ca.dir} expired on ${caCert.notAfter.toISOString()}`, {
      hint: 'make a new one with `kfeed ca init DIR`',
    });
  }
  const { keys, algorithm } = await cryptoKeyPair(crypto.createPrivateKey(ca.keyPem));
  const publicKey = new x509.PublicKey(input.publicKey);
  const rsaSubject = publicKey.algorithm.name.startsWith('RSA');
  const requested = new Date(now + input.days * DAY_MS);
  const notAfter = requested > caCert.notAfter ? caCert.notAfter : requested;
  const usages = [
    ...(input.usage !== 'client' ? [x509.ExtendedKeyUsage.serverAuth] : []),
    ...(input.usage !== 'server' ? [x509.ExtendedKeyUsage.clientAuth] : []),
  ];
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: serialNumber(),
    subject: input.subject,
    issuer: caCert.subjectName,
    notBefore: new Date(now - SKEW_MS),
    notAfter,
    publicKey,
    signingKey: keys.privateKey as never,
    signingAlgorithm: algorithm as never,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.digitalSignature | (rsaSubject ? x509.KeyUsageFlags.keyEncipherment : 0),
        true,
      ),
      new x509.ExtendedKeyUsageExtension(usages),
      ...(input.subjectAltName ? [input.subjectAltName] : []),
      await x509.SubjectKeyIdentifierExtension.create(publicKey),
      await authorityKeyIdentifier(caCert),
    ],
  });
  return {
    certificatePem: certificate.toString('pem') + '\n',
    chainPem: ca.certPem.endsWith('\n') ? ca.certPem : ca.certPem + '\n',
    notAfter: notAfter.toISOString(),
    ...(notAfter !== requested ? { clampedToCa: { requestedNotAfter: requested.toISOString() } } : {}),
  };
}

/** Signs a certificate for a public key and subject (the local cluster's broker and admin). */
export async function issueWithLocalCa(ca: LocalCa, request: IssueRequest): Promise<SignedCertificate> {
  const { x509 } = await import('./x509.js');
  const names = [
    ...(request.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
    ...(request.ipAddresses ?? []).map((value) => ({ type: 'ip' as const, value })),
  ];
  return signWithLocalCa(ca, {
    subject: await x509Name(request.subject),
    publicKey: crypto.createPublicKey(request.publicKeyPem).export({ type: 'spki', format: 'der' }),
    subjectAltName: names.length ? new x509.SubjectAlternativeNameExtension(names) : undefined,
    days: request.days,
    usage: request.usage,
  });
}

export function publicKeyOf(privateKeyPem: string): string {
  return crypto.createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }) as string;
}

/**
 * Signs a CSR (RSA or EC public key) with the local CA, the way an AWS Private CA end-entity
 * template does: serverAuth + clientAuth, the CSR's subject and subjectAltName.
 */
export async function signCsrWithLocalCa(
  ca: LocalCa,
  csr: { der: Buffer },
  options: { days: number; now?: number },
): Promise<SignedCertificate> {
  const { x509 } = await import('./x509.js');
  const request = new x509.Pkcs10CertificateRequest(csr.der);
  return signWithLocalCa(
    ca,
    {
      subject: request.subjectName,
      publicKey: request.publicKey.rawData,
      subjectAltName: request.getExtension('2.5.29.17') ?? undefined,
      days: options.days,
      usage: 'both',
    },
    options.now,
  );
}

/** The CA's own key identifier when it states one, so chain builders match on it exactly. */
async function authorityKeyIdentifier(caCert: import('@peculiar/x509').X509Certificate) {
  const { x509 } = await import('./x509.js');
  const ski = caCert.getExtension('2.5.29.14');
  if (ski) return new x509.AuthorityKeyIdentifierExtension(new x509.SubjectKeyIdentifierExtension(ski.rawData).keyId);
  return x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
}
