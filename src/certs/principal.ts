import forge from 'node-forge';
import { KfeedError } from '../errors.js';

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

const { Type } = forge.asn1;
// The ASN.1 string types Java prints as text rather than as #hex.
const TEXT_TYPES = new Set<number>([Type.PRINTABLESTRING, 20 /* T61String */, Type.IA5STRING, 27 /* GeneralString */, Type.BMPSTRING, Type.UTF8]);
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

/** The subject (or issuer) of a DER certificate as RDNs, each a list of attributes. */
export function certificateNames(der: string): { subject: NameAttribute[][]; issuer: NameAttribute[][] } {
  let tbs: forge.asn1.Asn1;
  try {
    const cert = forge.asn1.fromDer(der);
    tbs = (cert.value as forge.asn1.Asn1[])[0];
  } catch (error) {
    throw new KfeedError('usage', `not a certificate: ${(error as Error).message}`, { hint: 'pass a PEM certificate' });
  }
  const fields = tbs.value as forge.asn1.Asn1[];
  // An explicit [0] version comes first in v3 certificates.
  const offset = fields[0].tagClass === forge.asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return { issuer: parseName(fields[offset + 2]), subject: parseName(fields[offset + 4]) };
}

function parseName(name: forge.asn1.Asn1): NameAttribute[][] {
  return (name.value as forge.asn1.Asn1[]).map((rdn) =>
    (rdn.value as forge.asn1.Asn1[]).map((attribute) => {
      const [type, value] = attribute.value as forge.asn1.Asn1[];
      const oid = forge.asn1.derToOid(type.value as string);
      const raw = value.value as string;
      const text = value.type === Type.BMPSTRING ? decodeBmp(raw) : value.type === Type.UTF8 || TEXT_TYPES.has(value.type) ? forge.util.decodeUtf8(raw) : raw;
      return { oid, keyword: RFC2253_KEYWORDS[oid], value: text, der: forge.asn1.toDer(value).getBytes(), tag: value.type };
    }),
  );
}

function decodeBmp(bytes: string): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) out += String.fromCharCode((bytes.charCodeAt(i) << 8) | bytes.charCodeAt(i + 1));
  return out;
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
  return `${attribute.keyword ?? attribute.oid}=#${forge.util.bytesToHex(attribute.der)}`;
}

/** A distinguished name in RFC 2253 form, as Java's X500Principal#getName() writes it. */
export function rfc2253(name: NameAttribute[][]): string {
  return [...name]
    .reverse()
    .map((rdn) => rdn.map(formatAttribute).join('+'))
    .join(',');
}

/** PEM (or DER) certificate text -> DER bytes of the first certificate. */
export function firstCertificateDer(pem: string): string {
  const blocks = forge.pem.decode(pem).filter((block) => block.type === 'CERTIFICATE' || block.type === 'X509 CERTIFICATE');
  if (blocks.length === 0) throw new KfeedError('usage', 'no certificate found in the file', { hint: 'pass a PEM file with a BEGIN CERTIFICATE block' });
  return blocks[0].body;
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
