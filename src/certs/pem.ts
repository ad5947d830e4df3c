import { KfeedError } from '../errors.js';

export interface PemBlock {
  type: string;
  der: Buffer;
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/g;

/** Every PEM block in a text, in order. */
export function pemBlocks(text: string): PemBlock[] {
  const blocks: PemBlock[] = [];
  for (const match of text.matchAll(BLOCK)) {
    const body = match[2].replace(/^[A-Za-z-]+:.*$/gm, '').replace(/\s+/g, '');
    const der = Buffer.from(body, 'base64');
    // Re-encoded so that every block has the same shape (LF line ends, 64 columns).
    blocks.push({ type: match[1], der, text: toPem(der, match[1]) });
  }
  return blocks;
}

/** The certificates of a PEM text, each as its own PEM; an error when there is none. */
export function certificatePems(text: string, file: string): string[] {
  const certs = pemBlocks(text)
    .filter((b) => b.type === 'CERTIFICATE')
    .map((b) => b.text);
  if (certs.length === 0)
    throw new KfeedError('usage', `${file} holds no certificate`, {
      hint: 'pass a PEM file with a BEGIN CERTIFICATE block',
    });
  return certs;
}

/**
 * A certificate file split into the end-entity certificate and the CA certificates that follow
 * it. `chainLength` in kfeed's JSON (issuecert, cert import) is always `chain.length`: the CA
 * certificates, the leaf not counted.
 */
export function leafAndChain(text: string, file: string): { leaf: string; chain: string[] } {
  const [leaf, ...chain] = certificatePems(text, file);
  return { leaf, chain };
}

export function toPem(der: Uint8Array, type: string): string {
  const lines =
    Buffer.from(der)
      .toString('base64')
      .match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${type}-----\n${lines.join('\n')}\n-----END ${type}-----\n`;
}
