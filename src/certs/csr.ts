import crypto from 'node:crypto';
import net from 'node:net';
import { KfeedError } from '../errors.js';
import { describeKey, generateKey, privateKeyPem, type KeyType } from './keys.js';
import { pemBlocks } from './pem.js';
import { rfc2253, certificateNames, type NameAttribute } from './principal.js';
import { checkSubject, subjectDer } from './subject.js';
import { x509 } from './x509.js';
import type { SubjectFields } from './local-ca.js';

type WebAlgorithm = { name: string; hash?: string; namedCurve?: string };
type WebKeyPair = { privateKey: crypto.webcrypto.CryptoKey; publicKey: crypto.webcrypto.CryptoKey };

export interface CsrRequest {
  subject: SubjectFields;
  keyType: KeyType;
  /** DNS names and IP addresses for the subjectAltName extension. */
  sans?: string[];
  /** Encrypts the PKCS#8 key when given. */
  password?: string;
}

export interface CsrResult {
  keyPem: string;
  csrPem: string;
  encrypted: boolean;
  keyLabel: string;
}

/** WebCrypto parameters for signing with a key: SHA-256, or SHA-384 for P-384. */
function signingParams(key: crypto.KeyObject): { import: WebAlgorithm; sign: WebAlgorithm } {
  const info = describeKey(key);
  if (info.algorithm === 'RSA') return { import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } };
  if (info.curve === 'P-256' || info.curve === 'P-384') {
    return { import: { name: 'ECDSA', namedCurve: info.curve }, sign: { name: 'ECDSA', hash: info.curve === 'P-384' ? 'SHA-384' : 'SHA-256' } };
  }
  throw new KfeedError('usage', `keys of type ${info.label} are not supported`, { hint: 'use RSA (2048, 3072, 4096) or EC P-256 / P-384' });
}

/** A Node private key as a WebCrypto key pair, for @peculiar/x509 to sign with. */
export async function cryptoKeyPair(privateKey: crypto.KeyObject): Promise<{ keys: WebKeyPair; algorithm: WebAlgorithm }> {
  const params = signingParams(privateKey);
  const subtle = crypto.webcrypto.subtle;
  const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
  const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  const keys = {
    privateKey: await subtle.importKey('pkcs8', pkcs8, params.import, false, ['sign']),
    publicKey: await subtle.importKey('spki', spki, params.import, true, ['verify']),
  };
  return { keys, algorithm: params.sign };
}

/** Splits `--san` values into DNS names and IP addresses, checking each. */
export function parseSans(values: string[]): x509.JsonGeneralName[] {
  return values.map((value) => {
    if (net.isIP(value)) return { type: 'ip', value } as const;
    if (/^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(value) && value.length <= 253) {
      return { type: 'dns', value } as const;
    }
    throw new KfeedError('usage', `"${value}" is neither a DNS name nor an IP address`, { hint: 'pass --san host.example.com or --san 10.0.0.1' });
  });
}

/** A new key and a CSR for it, signed with SHA-256 (SHA-384 for P-384). */
export async function createKeyAndCsr(request: CsrRequest): Promise<CsrResult> {
  const subject = checkSubject(request.subject);
  const sans = parseSans(request.sans ?? []);
  const pair = await generateKey(request.keyType);
  const { keys, algorithm } = await cryptoKeyPair(pair.privateKey);
  const der = subjectDer(subject);
  const name = new x509.Name(der.buffer.slice(der.byteOffset, der.byteOffset + der.byteLength));
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name,
    keys: keys as never,
    signingAlgorithm: algorithm as never,
    extensions: sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [],
  });
  return {
    keyPem: privateKeyPem(pair.privateKey, request.password),
    csrPem: csr.toString('pem') + '\n',
    encrypted: Boolean(request.password),
    keyLabel: describeKey(pair.privateKey).label,
  };
}

export interface ParsedCsr {
  pem: string;
  der: Buffer;
  subject: string;
  subjectName: NameAttribute[][];
  publicKey: crypto.KeyObject;
  keyLabel: string;
  sans: Array<{ type: string; value: string }>;
}

/** Reads a CSR and checks that it is one and that its signature verifies. */
export async function parseCsr(text: string, file: string): Promise<ParsedCsr> {
  const block = pemBlocks(text).find((b) => b.type === 'CERTIFICATE REQUEST' || b.type === 'NEW CERTIFICATE REQUEST');
  if (!block) throw new KfeedError('usage', `${file} is not a certificate signing request (no BEGIN CERTIFICATE REQUEST block)`, { hint: 'pass the client_cert.csr that `kfeed makecsr` wrote' });
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
  } catch (error) {
    throw new KfeedError('usage', `${file} is not a valid certificate signing request (${(error as Error).message})`, { hint: 'make a new one with `kfeed makecsr`' });
  }
  let valid = false;
  try {
    valid = await csr.verify();
  } catch {
    valid = false;
  }
  if (!valid) throw new KfeedError('verification', `the signature of ${file} does not verify: the CSR was altered or damaged`, { hint: 'make a new one with `kfeed makecsr`' });
  const publicKey = crypto.createPublicKey({ key: Buffer.from(csr.publicKey.rawData), format: 'der', type: 'spki' });
  const sanRaw = csr.getExtension('2.5.29.17');
  const sanExtension = sanRaw ? new x509.SubjectAlternativeNameExtension(sanRaw.rawData) : undefined;
  const subjectName = certificateNames(wrapNameForParsing(Buffer.from(csr.subjectName.toArrayBuffer()))).subject;
  return {
    pem: block.text,
    der: block.der,
    subject: rfc2253(subjectName),
    subjectName,
    publicKey,
    keyLabel: describeKey(publicKey).label,
    sans: sanExtension ? sanExtension.names.toJSON().map((n) => ({ type: n.type, value: n.value })) : [],
  };
}

/**
 * principal.ts reads names out of a certificate; a CSR's subject is put in a minimal
 * TBSCertificate-shaped frame (v1: serial, signature, issuer, validity, subject) to reuse it.
 */
function wrapNameForParsing(nameDer: Buffer): string {
  const forgeNull = Buffer.from([0x30, 0x00]);
  const fields = [Buffer.from([0x02, 0x01, 0x01]), forgeNull, forgeNull, forgeNull, nameDer];
  const tbs = derSequence(Buffer.concat(fields));
  return derSequence(tbs).toString('binary');
}

function derSequence(content: Buffer): Buffer {
  const length = content.length;
  const header =
    length < 0x80 ? Buffer.from([0x30, length]) : length < 0x100 ? Buffer.from([0x30, 0x81, length]) : Buffer.from([0x30, 0x82, length >> 8, length & 0xff]);
  return Buffer.concat([header, content]);
}
