import crypto from 'node:crypto';
import tls from 'node:tls';
import { KfeedError } from '../errors.js';
import { describeKey, spkiDer } from './keys.js';
import { certificatePems } from './pem.js';
import { certificateNames, kafkaPrincipalOfCertificate, rfc2253 } from './principal.js';

export interface CertificateInfo {
  subject: string;
  issuer: string;
  /** What Kafka calls a client presenting this certificate: use it in ACLs. */
  principal: string;
  sans: string[];
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  expired: boolean;
  notYetValid: boolean;
  key: { algorithm: string; size?: number; curve?: string; label: string };
  fingerprintSha256: string;
  isCa: boolean;
  selfSigned: boolean;
  extendedKeyUsage: string[];
}

const EKU_NAMES: Record<string, string> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
};

export function parseCertificate(pem: string, file: string): crypto.X509Certificate {
  try {
    return new crypto.X509Certificate(pem);
  } catch (error) {
    throw new KfeedError('usage', `${file} holds a damaged certificate (${(error as Error).message})`, {
      hint: 'pass a valid PEM certificate',
    });
  }
}

export function certificateInfo(pem: string, file: string, now = new Date()): CertificateInfo {
  const cert = parseCertificate(pem, file);
  const der = cert.raw.toString('binary');
  const names = certificateNames(der);
  const notBefore = new Date(cert.validFrom);
  const notAfter = new Date(cert.validTo);
  return {
    subject: rfc2253(names.subject),
    issuer: rfc2253(names.issuer),
    principal: kafkaPrincipalOfCertificate(pem),
    sans: cert.subjectAltName ? cert.subjectAltName.split(', ') : [],
    serialNumber: cert.serialNumber.toLowerCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    daysLeft: Math.floor((notAfter.getTime() - now.getTime()) / 86_400_000),
    expired: notAfter.getTime() < now.getTime(),
    notYetValid: notBefore.getTime() > now.getTime(),
    key: describeKey(cert.publicKey),
    fingerprintSha256: cert.fingerprint256,
    isCa: cert.ca,
    selfSigned: cert.checkIssued(cert) && cert.verify(cert.publicKey),
    extendedKeyUsage: (cert.keyUsage ?? []).map((oid) => EKU_NAMES[oid] ?? oid),
  };
}

/** A certificate file (leaf first, then its chain) described certificate by certificate. */
export function inspectCertificateFile(text: string, file: string, now = new Date()): CertificateInfo[] {
  return certificatePems(text, file).map((pem) => certificateInfo(pem, file, now));
}

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

export interface VerifyInput {
  certText: string;
  certFile: string;
  /** The private key, already loaded (and decrypted). */
  key?: crypto.KeyObject;
  keyFile?: string;
  /** Trust anchors; absent means the public roots Node ships (what MSK chains to). */
  caText?: string;
  caFile?: string;
  now?: Date;
}

export interface VerifyResult {
  ok: boolean;
  subject: string;
  principal: string;
  checks: Check[];
  /** The chain that was built, leaf first, as subjects. */
  chain: string[];
  /** The first end of validity along the chain: after it the certificate no longer works. */
  validUntil: string;
  daysLeft: number;
}

function subjectOf(cert: crypto.X509Certificate): string {
  return rfc2253(certificateNames(cert.raw.toString('binary')).subject);
}

function issuedBy(child: crypto.X509Certificate, parent: crypto.X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * Checks a client certificate the way a broker and a client will: the key belongs to it,
 * it chains (through the certificates that follow it in its file) to a trusted CA, every
 * certificate on the way is within its validity, and it may be used for TLS client auth.
 */
export function verifyCertificate(input: VerifyInput): VerifyResult {
  const now = input.now ?? new Date();
  const pems = certificatePems(input.certText, input.certFile);
  const certs = pems.map((pem) => parseCertificate(pem, input.certFile));
  const leaf = certs[0];
  const anchors = (input.caText ? certificatePems(input.caText, input.caFile ?? 'CA file') : tls.rootCertificates).map(
    (pem) => parseCertificate(pem, input.caFile ?? 'system roots'),
  );
  const trustName = input.caFile ?? 'the public root CAs';
  const checks: Check[] = [];

  if (input.key) {
    const matches = spkiDer(input.key).equals(spkiDer(leaf.publicKey));
    checks.push({
      name: 'key',
      ok: matches,
      detail: matches
        ? `${input.keyFile} is the key of this certificate`
        : `${input.keyFile} does not belong to this certificate`,
    });
  }

  // Build the chain: leaf, then intermediates from the same file, until a trusted CA signs.
  const chain = [leaf];
  let anchor: crypto.X509Certificate | undefined;
  let broken = '';
  for (let depth = 0; depth < 10 && !anchor && !broken; depth++) {
    const current = chain[chain.length - 1];
    anchor = anchors.find((a) => a.fingerprint256 === current.fingerprint256 || issuedBy(current, a));
    if (anchor) break;
    const next = certs.find((c) => !chain.includes(c) && issuedBy(current, c));
    if (next) chain.push(next);
    else if (issuedBy(current, current))
      broken = `"${subjectOf(current)}" is a root CA that ${trustName} does not hold`;
    else {
      const subject = subjectOf(current);
      const issuer = rfc2253(certificateNames(current.raw.toString('binary')).issuer);
      broken = `no certificate in ${input.certFile} or ${trustName} signed "${subject}" (issuer "${issuer}")`;
    }
  }
  if (anchor && anchor.fingerprint256 !== chain[chain.length - 1].fingerprint256) chain.push(anchor);
  checks.push({
    name: 'chain',
    ok: Boolean(anchor),
    detail: anchor
      ? `chains to "${subjectOf(anchor)}" in ${trustName}`
      : broken || `no path to ${trustName} within 10 certificates`,
  });

  const outOfDate = chain.find((c) => new Date(c.validTo) < now || new Date(c.validFrom) > now);
  // A certificate is usable only while every certificate above it is: the chain ends with its first expiry.
  const firstToExpire = chain.reduce((a, b) => (new Date(b.validTo) < new Date(a.validTo) ? b : a));
  const validUntil = new Date(firstToExpire.validTo);
  const daysLeft = Math.floor((validUntil.getTime() - now.getTime()) / 86_400_000);
  const limitedBy =
    firstToExpire === leaf || firstToExpire.validTo === leaf.validTo
      ? ''
      : `; "${subjectOf(firstToExpire)}" ends first ` +
        `(the certificate itself says ${new Date(leaf.validTo).toISOString()})`;
  checks.push({
    name: 'validity',
    ok: !outOfDate,
    detail: outOfDate
      ? new Date(outOfDate.validTo) < now
        ? `"${subjectOf(outOfDate)}" expired on ${new Date(outOfDate.validTo).toISOString()}`
        : `"${subjectOf(outOfDate)}" is not valid before ${new Date(outOfDate.validFrom).toISOString()}`
      : `valid until ${validUntil.toISOString()} (${daysLeft} days left${limitedBy})`,
  });

  const usages = leaf.keyUsage;
  const clientAuth =
    !usages || usages.length === 0 || usages.includes('1.3.6.1.5.5.7.3.2') || usages.includes('2.5.29.37.0');
  checks.push({
    name: 'usage',
    ok: clientAuth,
    detail: clientAuth
      ? 'may be used as a TLS client certificate'
      : 'its extended key usage lacks clientAuth: brokers will refuse it',
  });

  return {
    ok: checks.every((c) => c.ok),
    subject: subjectOf(leaf),
    principal: kafkaPrincipalOfCertificate(pems[0]),
    checks,
    chain: chain.map(subjectOf),
    validUntil: validUntil.toISOString(),
    daysLeft,
  };
}
