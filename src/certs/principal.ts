import { KfeedError } from '../errors.js';
import { asn1, fromDer, derBytes, elementsOf, isUniversal, readOid, type Asn1 } from './asn1.js';
import { pemBlocks } from './pem.js';

/**
 * The Kafka principal of a certificate, exactly as Kafka's default SSL principal builder
 * names it: `User:` + javax.security.auth.x500.X500Principal#getName(), i.e. the subject in
 * RFC 2253 form. That form lists RDNs last-to-first, knows only the keywords below, writes
 * other attribute types as dotted OIDs with a hex-encoded DER value, and backslash-escapes
 * special characters (Java also escapes "=" and "#" anywhere) and leading / trailing spaces.
 */
const RFC2253_KEYWORDS: Record<string, string> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

// X.680 universal tags that forge's asn1.Type does not name.
const T61_STRING = 20;
const GENERAL_STRING = 27;
const UNIVERSAL_STRING = 28;
const ESCAPED = new Set([',', '=', '+', '<', '>', '#', ';', '"', '\\']);

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  oid: string;
  keyword?: string;
  value: string;
  /** The attribute's DER (tag, length, value) as a binary string, for the #hex form. */
  der: string;
  /** The value's identifier octet (class, constructed bit, tag number). */
  tag: number;
}

/** The subject (or issuer) of a DER certificate (binary string) as RDNs, each a list of attributes. */
export function certificateNames(der: string): { subject: NameAttribute[][]; issuer: NameAttribute[][] } {
  try {
    const fields = elementsOf(elementsOf(fromDer(der), 'a certificate')[0], 'a TBSCertificate');
    // An explicit [0] version comes first in v3 certificates.
    const offset = fields[0]?.tagClass === asn1().Class.CONTEXT_SPECIFIC && fields[0].type === 0 ? 1 : 0;
    return { issuer: parseName(fields[offset + 2]), subject: parseName(fields[offset + 4]) };
  } catch (error) {
    throw new KfeedError('usage', `not a certificate: ${(error as Error).message}`, { hint: 'pass a PEM certificate' });
  }
}

/** A DER Name (SEQUENCE OF RDN) as RDNs, each a list of attributes. */
export function parseName(name: Asn1 | undefined): NameAttribute[][] {
  if (!isUniversal(name, asn1().Type.SEQUENCE)) throw new Error('expected a Name');
  return elementsOf(name, 'a Name').map((rdn) =>
    elementsOf(rdn, 'a relative distinguished name').map((attribute) => {
      const [type, value] = elementsOf(attribute, 'an attribute');
      if (!value) throw new Error('expected an attribute value');
      const oid = readOid(type);
      const der = asn1().toDer(value).getBytes();
      return { oid, keyword: RFC2253_KEYWORDS[oid], value: readString(value), der, tag: der.charCodeAt(0) };
    }),
  );
}

/** The text of an attribute value (the string types X.500 names use). */
function readString(value: Asn1): string {
  const { Class, Type } = asn1();
  // A constructed value has no text of its own (Java prints it as #hex): its content as UTF-8.
  if (typeof value.value !== 'string') return Buffer.concat(value.value.map(derBytes)).toString('utf8');
  if (value.tagClass !== Class.UNIVERSAL) return Buffer.from(value.value, 'binary').toString('utf8');
  switch (value.type as number) {
    case Type.BMPSTRING: // forge decodes BMPString's UTF-16 itself
      return value.value;
    case UNIVERSAL_STRING: {
      const bytes = Buffer.from(value.value, 'binary');
      let out = '';
      for (let i = 0; i + 3 < bytes.length; i += 4) out += String.fromCodePoint(bytes.readUInt32BE(i));
      return out;
    }
    case Type.PRINTABLESTRING:
    case Type.IA5STRING:
    case T61_STRING: // ISO-8859-1 by choice: Java 17's getName() decodes T61String (and BMPString) bytes as UTF-8
      return Buffer.from(value.value, 'binary').toString('latin1');
    default:
      return Buffer.from(value.value, 'binary').toString('utf8');
  }
}

// The ASN.1 string types Java prints as text rather than as #hex (UNIVERSAL, primitive).
function isTextType(tag: number): boolean {
  const { Type } = asn1();
  return [Type.PRINTABLESTRING, T61_STRING, Type.IA5STRING, GENERAL_STRING, Type.BMPSTRING, Type.UTF8].includes(tag);
}

function escapeValue(value: string): string {
  const chars = [...value].map((c) => (ESCAPED.has(c) ? '\\' + c : c));
  let lead = 0;
  while (lead < chars.length && (chars[lead] === ' ' || chars[lead] === '\r')) lead++;
  let trail = chars.length - 1;
  while (trail >= 0 && (chars[trail] === ' ' || chars[trail] === '\r')) trail--;
  return chars.map((c, i) => (i < lead || i > trail ? '\\' + c : c)).join('');
}

function formatAttribute(attribute: NameAttribute): string {
  if (attribute.keyword && isTextType(attribute.tag)) return `${attribute.keyword}=${escapeValue(attribute.value)}`;
  return `${attribute.keyword ?? attribute.oid}=#${Buffer.from(attribute.der, 'binary').toString('hex')}`;
}

/** A distinguished name in RFC 2253 form, as Java's X500Principal#getName() writes it. */
export function rfc2253(name: NameAttribute[][]): string {
  return [...name]
    .reverse()
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .join(',');
}

/** PEM certificate text -> DER bytes (binary string) of the first certificate. */
export function firstCertificateDer(pem: string): string {
  const blocks = pemBlocks(pem).filter((block) => block.type === 'CERTIFICATE' || block.type === 'X509 CERTIFICATE');
  if (blocks.length === 0)
    throw new KfeedError('usage', 'no certificate found in the file', {
      hint: 'pass a PEM file with a BEGIN CERTIFICATE block',
    });
  return blocks[0].der.toString('binary');
}

/** The `User:...` principal Kafka gives a client that presents this certificate. */
export function kafkaPrincipalOfCertificate(pem: string): string {
  let der: string;
  try {
    der = firstCertificateDer(pem);
  } catch (error) {
    if (error instanceof KfeedError) throw error;
    throw new KfeedError('usage', 'the file is not a PEM certificate', {
      hint: 'pass a PEM file with a BEGIN CERTIFICATE block',
    });
  }
  return `User:${rfc2253(certificateNames(der).subject)}`;
}
