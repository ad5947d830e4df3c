import crypto from 'node:crypto';
import net from 'node:net';
import { KfeedError } from '../errors.js';
import { bitString, children, explicit, nullValue, octetString, oid, readElement, readOid, sequence, set, tlv, integer, TAG, type Element } from './der.js';
import { describeKey, generateKey, privateKeyPem, type KeyType } from './keys.js';
import { pemBlocks, toPem } from './pem.js';
import { parseName, rfc2253, type NameAttribute } from './principal.js';
import { checkSubject, subjectDer } from './subject.js';
import type { SubjectFields } from './local-ca.js';

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
  /** The subject in RFC 2253 form, as Kafka will name the certificate's holder. */
  subject: string;
}

export interface SubjectAltName {
  type: 'dns' | 'ip';
  value: string;
}

const OIDS = {
  extensionRequest: '1.2.840.113549.1.9.14',
  subjectAltName: '2.5.29.17',
  sha256WithRSA: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
};

// What a CSR's signature algorithm means for Node's crypto.verify.
const SIGNATURES: Record<string, string | null> = {
  '1.2.840.113549.1.1.5': 'sha1',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.3.101.112': null, // Ed25519 signs the message itself
};

/** Splits `--san` values into DNS names and IP addresses, checking each. */
export function parseSans(values: string[]): SubjectAltName[] {
  return values.map((value) => {
    if (net.isIP(value)) return { type: 'ip', value };
    if (/^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(value) && value.length <= 253) {
      return { type: 'dns', value };
    }
    throw new KfeedError('usage', `"${value}" is neither a DNS name nor an IP address`, { hint: 'pass --san host.example.com or --san 10.0.0.1' });
  });
}

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.concat(all.map((g) => Buffer.from([parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])));
}

function sanExtension(sans: SubjectAltName[]): Buffer {
  // GeneralName: [2] dNSName (IA5String), [7] iPAddress (OCTET STRING), implicit tags.
  const names = sans.map((san) => (san.type === 'dns' ? tlv(0x82, Buffer.from(san.value, 'ascii')) : tlv(0x87, ipBytes(san.value))));
  return sequence(oid(OIDS.subjectAltName), octetString(sequence(...names)));
}

/**
 * A new key and a PKCS#10 CSR for it, signed with SHA-256 (SHA-384 for P-384), built with
 * Node's crypto alone (fast: no ASN.1 library to load).
 */
export async function createKeyAndCsr(request: CsrRequest): Promise<CsrResult> {
  const subject = checkSubject(request.subject);
  const sans = parseSans(request.sans ?? []);
  const pair = await generateKey(request.keyType);
  const rsa = pair.privateKey.asymmetricKeyType === 'rsa';
  const hash = request.keyType === 'p384' ? 'sha384' : 'sha256';
  const name = subjectDer(subject);
  const attributes = sans.length ? explicit(0, sequence(oid(OIDS.extensionRequest), set(sequence(sanExtension(sans))))) : explicit(0);
  const info = sequence(integer(0), name, pair.publicKey.export({ type: 'spki', format: 'der' }), attributes);
  // ECDSA signatures come out DER-encoded, as X.509 wants them.
  const signature = crypto.sign(hash, info, pair.privateKey);
  const algorithm = rsa ? sequence(oid(OIDS.sha256WithRSA), nullValue()) : sequence(oid(hash === 'sha384' ? OIDS.ecdsaWithSha384 : OIDS.ecdsaWithSha256));
  const csr = sequence(info, algorithm, bitString(signature));
  return {
    keyPem: privateKeyPem(pair.privateKey, request.password),
    csrPem: toPem(csr, 'CERTIFICATE REQUEST'),
    encrypted: Boolean(request.password),
    keyLabel: describeKey(pair.privateKey).label,
    subject: rfc2253(parseName(readElement(name))),
  };
}

export interface ParsedCsr {
  pem: string;
  der: Buffer;
  subject: string;
  subjectName: NameAttribute[][];
  publicKey: crypto.KeyObject;
  keyLabel: string;
  sans: SubjectAltName[];
}

function readSans(attributes: Element | undefined): SubjectAltName[] {
  if (!attributes) return [];
  for (const attribute of children(attributes)) {
    const [type, values] = children(attribute);
    if (readOid(type) !== OIDS.extensionRequest) continue;
    for (const extension of children(children(values)[0])) {
      const parts = children(extension);
      if (readOid(parts[0]) !== OIDS.subjectAltName) continue;
      const names = children(readElement(parts[parts.length - 1].content));
      return names.flatMap((n): SubjectAltName[] => {
        if (n.tag === 0x82) return [{ type: 'dns', value: n.content.toString('ascii') }];
        if (n.tag === 0x87 && n.content.length === 4) return [{ type: 'ip', value: [...n.content].join('.') }];
        if (n.tag === 0x87 && n.content.length === 16) return [{ type: 'ip', value: (n.content.toString('hex').match(/.{4}/g) ?? []).join(':') }];
        return [];
      });
    }
  }
  return [];
}

/** Reads a CSR and checks that it is one and that its signature verifies. */
export async function parseCsr(text: string, file: string): Promise<ParsedCsr> {
  const block = pemBlocks(text).find((b) => b.type === 'CERTIFICATE REQUEST' || b.type === 'NEW CERTIFICATE REQUEST');
  if (!block) throw new KfeedError('usage', `${file} is not a certificate signing request (no BEGIN CERTIFICATE REQUEST block)`, { hint: 'pass the client_cert.csr that `kfeed makecsr` wrote' });
  let parsed;
  try {
    const [info, algorithm, signature] = children(readElement(block.der));
    const [, name, spki, attributes] = children(info);
    if (info.tag !== TAG.sequence || signature.tag !== TAG.bitString) throw new Error('not a PKCS#10 structure');
    parsed = {
      info,
      algorithm: readOid(children(algorithm)[0]),
      signature: signature.content.subarray(1),
      subjectName: parseName(name),
      publicKey: crypto.createPublicKey({ key: spki.raw, format: 'der', type: 'spki' }),
      sans: readSans(attributes),
    };
  } catch (error) {
    throw new KfeedError('usage', `${file} is not a valid certificate signing request (${(error as Error).message})`, { hint: 'make a new one with `kfeed makecsr`' });
  }
  if (!(parsed.algorithm in SIGNATURES)) {
    throw new KfeedError('usage', `${file} is signed with an algorithm kfeed does not check (${parsed.algorithm})`, { hint: 'make a new CSR with `kfeed makecsr`' });
  }
  let valid = false;
  try {
    valid = crypto.verify(SIGNATURES[parsed.algorithm], parsed.info.raw, parsed.publicKey, parsed.signature);
  } catch {
    valid = false;
  }
  if (!valid) throw new KfeedError('verification', `the signature of ${file} does not verify: the CSR was altered or damaged`, { hint: 'make a new one with `kfeed makecsr`' });
  return {
    pem: block.text,
    der: block.der,
    subject: rfc2253(parsed.subjectName),
    subjectName: parsed.subjectName,
    publicKey: parsed.publicKey,
    keyLabel: describeKey(parsed.publicKey).label,
    sans: parsed.sans,
  };
}
