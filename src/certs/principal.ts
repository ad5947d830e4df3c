import { KfeedError } from '../errors.js';
import { children, readElement, readOid, readString, TAG, type Element } from './der.js';
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

// The ASN.1 string types Java prints as text rather than as #hex.
const TEXT_TYPES = new Set<number>([TAG.printableString, TAG.t61String, TAG.ia5String, 27 /* GeneralString */, TAG.bmpString, TAG.utf8String]);
const ESCAPED = new Set([',', '=', '+', '<', '>', '#', ';', '"', '\\']);

/** One attribute of a distinguished name, in certificate order. */
export interface NameAttribute {
  oid: string;
  keyword?: string;
  value: string;
  /** The attribute's DER (tag, length, value), for the #hex form. */
  der: string;
  tag: number;
}

/** The subject (or issuer) of a DER certificate (binary string) as RDNs, each a list of attributes. */
export function certificateNames(der: string): { subject: NameAttribute[][]; issuer: NameAttribute[][] } {
  try {
    const cert = readElement(Buffer.from(der, 'binary'));
    const tbs = children(cert)[0];
    const fields = children(tbs);
    // An explicit [0] version comes first in v3 certificates.
    const offset = fields[0].tag === 0xa0 ? 1 : 0;
    return { issuer: parseName(fields[offset + 2]), subject: parseName(fields[offset + 4]) };
  } catch (error) {
    throw new KfeedError('usage', `not a certificate: ${(error as Error).message}`, { hint: 'pass a PEM certificate' });
  }
}

/** A DER Name (SEQUENCE OF RDN) as RDNs, each a list of attributes. */
export function parseName(name: Element): NameAttribute[][] {
  if (name.tag !== TAG.sequence) throw new Error('expected a Name');
  return children(name).map((rdn) =>
    children(rdn).map((attribute) => {
      const [type, value] = children(attribute);
      const oid = readOid(type);
      return { oid, keyword: RFC2253_KEYWORDS[oid], value: readString(value), der: value.raw.toString('binary'), tag: value.tag };
    }),
  );
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
  if (attribute.keyword && TEXT_TYPES.has(attribute.tag)) return `${attribute.keyword}=${escapeValue(attribute.value)}`;
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
  if (blocks.length === 0) throw new KfeedError('usage', 'no certificate found in the file', { hint: 'pass a PEM file with a BEGIN CERTIFICATE block' });
  return blocks[0].der.toString('binary');
}

/** The `User:...` principal Kafka gives a client that presents this certificate. */
export function kafkaPrincipalOfCertificate(pem: string): string {
  let der: string;
  try {
    der = firstCertificateDer(pem);
  } catch (error) {
    if (error instanceof KfeedError) throw error;
    throw new KfeedError('usage', 'the file is not a PEM certificate', { hint: 'pass a PEM file with a BEGIN CERTIFICATE block' });
  }
  return `User:${rfc2253(certificateNames(der).subject)}`;
}
