import crypto from 'node:crypto';
import net from 'node:net';
import { KfeedError } from '../errors.js';
import { describeKey, generateKey, privateKeyPem, type KeyType } from './keys.js';
import { pemBlocks, toPem } from './pem.js';
import { asn1, derBytes, elementsOf, fromDer, isUniversal, oidElement, readOid, universal, type Asn1 } from './asn1.js';
import { parseName, rfc2253, type NameAttribute } from './principal.js';
import { checkSubject, subjectName } from './subject.js';
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
    if (
      /^(\*\.)?([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)*[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(
        value,
      ) &&
      value.length <= 253
    ) {
      return { type: 'dns', value };
    }
    throw new KfeedError('usage', `"${value}" is neither a DNS name nor an IP address`, {
      hint: 'pass --san host.example.com or --san 10.0.0.1',
    });
  });
}

function ipBytes(ip: string): Buffer {
  if (net.isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  // The URL parser writes IPv6 in canonical form, embedded IPv4 (::ffff:10.0.0.1) as hex groups.
  const canonical = new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  const [head, tail] = canonical.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':') : []);
  const left = groups(head);
  const right = tail === undefined ? [] : groups(tail);
  const all = [...left, ...Array(8 - left.length - right.length).fill('0'), ...right];
  return Buffer.concat(all.map((g) => Buffer.from([parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff])));
}

function sanExtension(sans: SubjectAltName[]): Asn1 {
  const { create, Class, Type } = asn1();
  // GeneralName: [2] dNSName (IA5String), [7] iPAddress (OCTET STRING), implicit tags.
  const names = sans.map((san) =>
    san.type === 'dns'
      ? create(Class.CONTEXT_SPECIFIC, 2, false, Buffer.from(san.value, 'ascii').toString('binary'))
      : create(Class.CONTEXT_SPECIFIC, 7, false, ipBytes(san.value).toString('binary')),
  );
  return universal(Type.SEQUENCE, [
    oidElement(OIDS.subjectAltName),
    universal(Type.OCTETSTRING, derBytes(universal(Type.SEQUENCE, names)).toString('binary')),
  ]);
}

/**
 * A new key and a PKCS#10 CSR for it, signed with SHA-256 (SHA-384 for P-384): Node's crypto
 * makes the key and signs, node-forge's ASN.1 codec encodes.
 */
export async function createKeyAndCsr(request: CsrRequest): Promise<CsrResult> {
  const subject = checkSubject(request.subject);
  const sans = parseSans(request.sans ?? []);
  // Node makes the key on its thread pool; meanwhile this thread loads the ASN.1 codec
  // (on first use, in asn1()) and encodes everything that does not depend on the key.
  const pendingPair = generateKey(request.keyType);
  const { create, integerToDer, Class, Type } = asn1();
  const name = subjectName(subject);
  const extensionRequest = sans.length
    ? [
        universal(Type.SEQUENCE, [
          oidElement(OIDS.extensionRequest),
          universal(Type.SET, [universal(Type.SEQUENCE, [sanExtension(sans)])]),
        ]),
      ]
    : [];
  const attributes = create(Class.CONTEXT_SPECIFIC, 0, true, extensionRequest);
  const pair = await pendingPair;
  const rsa = pair.privateKey.asymmetricKeyType === 'rsa';
  const hash = request.keyType === 'p384' ? 'sha384' : 'sha256';
  const spki = fromDer(pair.publicKey.export({ type: 'spki', format: 'der' }));
  const info = universal(Type.SEQUENCE, [universal(Type.INTEGER, integerToDer(0).getBytes()), name, spki, attributes]);
  // ECDSA signatures come out DER-encoded, as X.509 wants them.
  const signature = crypto.sign(hash, derBytes(info), pair.privateKey);
  const algorithm = rsa
    ? universal(Type.SEQUENCE, [oidElement(OIDS.sha256WithRSA), universal(Type.NULL, '')])
    : universal(Type.SEQUENCE, [oidElement(hash === 'sha384' ? OIDS.ecdsaWithSha384 : OIDS.ecdsaWithSha256)]);
  // A BIT STRING's first content byte counts the unused bits of its last byte: none here.
  const csr = universal(Type.SEQUENCE, [
    info,
    algorithm,
    universal(Type.BITSTRING, '\x00' + signature.toString('binary')),
  ]);
  return {
    keyPem: privateKeyPem(pair.privateKey, request.password),
    csrPem: toPem(derBytes(csr), 'CERTIFICATE REQUEST'),
    encrypted: Boolean(request.password),
    keyLabel: describeKey(pair.privateKey).label,
    subject: rfc2253(parseName(name)),
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

function readSans(attributes: Asn1 | undefined): SubjectAltName[] {
  if (!attributes) return [];
  const { Class } = asn1();
  for (const attribute of elementsOf(attributes, 'the CSR attributes')) {
    const [type, values] = elementsOf(attribute, 'a CSR attribute');
    if (readOid(type) !== OIDS.extensionRequest) continue;
    for (const extension of elementsOf(elementsOf(values, 'the attribute values')[0], 'the requested extensions')) {
      const parts = elementsOf(extension, 'an extension');
      if (readOid(parts[0]) !== OIDS.subjectAltName) continue;
      const octets = parts[parts.length - 1].value;
      if (typeof octets !== 'string') throw new Error('expected an OCTET STRING');
      return elementsOf(fromDer(octets), 'the subjectAltName names').flatMap((n): SubjectAltName[] => {
        if (n.tagClass !== Class.CONTEXT_SPECIFIC || n.constructed || typeof n.value !== 'string') return [];
        const content = Buffer.from(n.value, 'binary');
        if (n.type === 2) return [{ type: 'dns', value: content.toString('ascii') }];
        if (n.type === 7 && content.length === 4) return [{ type: 'ip', value: [...content].join('.') }];
        if (n.type === 7 && content.length === 16)
          return [{ type: 'ip', value: (content.toString('hex').match(/.{4}/g) ?? []).join(':') }];
        return [];
      });
    }
  }
  return [];
}

/** Reads a CSR and checks that it is one and that its signature verifies. */
export async function parseCsr(text: string, file: string): Promise<ParsedCsr> {
  const block = pemBlocks(text).find((b) => b.type === 'CERTIFICATE REQUEST' || b.type === 'NEW CERTIFICATE REQUEST');
  if (!block)
    throw new KfeedError('usage', `${file} is not a certificate signing request (no BEGIN CERTIFICATE REQUEST block)`, {
      hint: 'pass the client_cert.csr that `kfeed makecsr` wrote',
    });
  let parsed;
  try {
    const { Type } = asn1();
    const [info, algorithm, signature] = elementsOf(fromDer(block.der), 'a PKCS#10 structure');
    const [, name, spki, attributes] = elementsOf(info, 'a CertificationRequestInfo');
    if (
      !isUniversal(info, Type.SEQUENCE) ||
      !isUniversal(signature, Type.BITSTRING) ||
      typeof signature.value !== 'string'
    )
      throw new Error('not a PKCS#10 structure');
    parsed = {
      // Signed bytes: DER is one encoding per value, so forge's re-encoding gives back what was signed.
      info: derBytes(info),
      algorithm: readOid(elementsOf(algorithm, 'an AlgorithmIdentifier')[0]),
      signature: Buffer.from(signature.value, 'binary').subarray(1),
      subjectName: parseName(name),
      publicKey: crypto.createPublicKey({ key: derBytes(spki), format: 'der', type: 'spki' }),
      sans: readSans(attributes),
    };
  } catch (error) {
    throw new KfeedError('usage', `${file} is not a valid certificate signing request (${(error as Error).message})`, {
      hint: 'make a new one with `kfeed makecsr`',
    });
  }
  if (!(parsed.algorithm in SIGNATURES)) {
    throw new KfeedError('usage', `${file} is signed with an algorithm kfeed does not check (${parsed.algorithm})`, {
      hint: 'make a new CSR with `kfeed makecsr`',
    });
  }
  let valid = false;
  try {
    valid = crypto.verify(SIGNATURES[parsed.algorithm], parsed.info, parsed.publicKey, parsed.signature);
  } catch {
    valid = false;
  }
  if (!valid)
    throw new KfeedError('verification', `the signature of ${file} does not verify: the CSR was altered or damaged`, {
      hint: 'make a new one with `kfeed makecsr`',
    });
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
