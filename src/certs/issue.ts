import crypto from 'node:crypto';
import { KfeedError } from '../errors.js';
import type { ParsedCsr } from './csr.js';
import { spkiDer } from './keys.js';
import { certificatePems } from './pem.js';
import { certificateInfo, type CertificateInfo } from './inspect.js';

export interface IssuedCertificate {
  /** Certificate followed by its chain, as one PEM (what Kafka clients load). */
  pem: string;
  info: CertificateInfo;
  /** CA certificates after the leaf (see leafAndChain in pem.ts). */
  chainLength: number;
}

function signedBy(child: crypto.X509Certificate, parent: crypto.X509Certificate): boolean {
  try {
    return child.checkIssued(parent) && child.verify(parent.publicKey);
  } catch {
    return false;
  }
}

/**
 * Checks what a CA returned before anything is written: the certificate carries the CSR's
 * public key, and each certificate is signed by the next one up to the CA.
 */
export function checkIssuedCertificate(
  csr: ParsedCsr,
  certificatePem: string,
  chainPem: string,
  source: string,
): IssuedCertificate {
  const [leafPem] = certificatePems(certificatePem, `the certificate from ${source}`);
  const chainPems = chainPem.trim() ? certificatePems(chainPem, `the chain from ${source}`) : [];
  const leaf = new crypto.X509Certificate(leafPem);
  if (!spkiDer(leaf.publicKey).equals(spkiDer(csr.publicKey))) {
    throw new KfeedError('verification', `the certificate from ${source} does not carry the CSR's public key`, {
      hint: 'nothing was written; check which CSR the CA signed',
    });
  }
  const chain = chainPems.map((pem) => new crypto.X509Certificate(pem));
  if (chain.length === 0) {
    throw new KfeedError('verification', `${source} returned no CA chain with the certificate`, {
      hint: 'nothing was written; check the CA',
    });
  }
  const links = [leaf, ...chain];
  for (let i = 0; i + 1 < links.length; i++) {
    if (!signedBy(links[i], links[i + 1])) {
      throw new KfeedError(
        'verification',
        `the certificate chain from ${source} is broken: ` +
          `"${links[i].subject.replace(/\n/g, ', ')}" is not signed by the next certificate`,
        {
          hint: 'nothing was written; check the CA',
        },
      );
    }
  }
  return { pem: leafPem + chainPems.join(''), info: certificateInfo(leafPem, source), chainLength: chain.length };
}
