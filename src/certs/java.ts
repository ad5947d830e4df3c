import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { writeFileAtomic } from '../config/files.js';
import { KfeedError } from '../errors.js';
import { spkiDer } from './keys.js';
import { certificatePems, leafAndChain, pemBlocks } from './pem.js';
import { pkcs12Keystore, pkcs12Truststore } from './pkcs12.js';
import { certificateInfo } from './inspect.js';

export const JAVA_FILES = {
  keystore: 'kafka.client.keystore.p12',
  truststore: 'kafka.client.truststore.p12',
  properties: 'client.properties',
} as const;

export interface JavaClientInput {
  /** The signed certificate, followed by its chain (what issuecert writes). */
  certText: string;
  certFile: string;
  key: crypto.KeyObject;
  keyFile: string;
  /** The CAs the client trusts for the brokers' certificates (PEM). */
  trustText: string;
  trustFile: string;
  /** Protects both stores and the key entry (Java wants them equal). */
  password: string;
  outDir: string;
  alias: string;
  force: boolean;
  bootstrapServers?: string;
}

export interface JavaClientFiles {
  keystore: string;
  truststore: string;
  properties: string;
  principal: string;
  /** CA certificates stored after the client certificate (the leaf is not counted, as in issuecert). */
  chainLength: number;
  trustedCount: number;
}

/** Java .properties escaping (the files are read as ISO-8859-1 by Properties.load). */
function propertyValue(value: string): string {
  let out = '';
  for (const [i, c] of [...value].entries()) {
    const code = c.codePointAt(0)!;
    if (c === '\\') out += '\\\\';
    else if (c === ' ' && i === 0) out += '\\ ';
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (code < 0x20 || code > 0x7e) out += utf16Escapes(c);
    else out += c;
  }
  return out;
}

function utf16Escapes(c: string): string {
  let out = '';
  for (let i = 0; i < c.length; i++) out += '\\u' + c.charCodeAt(i).toString(16).padStart(4, '0');
  return out;
}

/**
 * A PKCS#12 keystore (key + chain), a PKCS#12 truststore and a `client.properties` that
 * Apache Kafka's Java clients and tools accept. Everything is built in memory and checked
 * before the first file is written.
 */
export function writeJavaClientFiles(input: JavaClientInput): JavaClientFiles {
  const { leaf: leafPem, chain: chainPems } = leafAndChain(input.certText, input.certFile);
  const chainDer = [leafPem, ...chainPems].map((pem) => pemBlocks(pem)[0].der);
  const leaf = new crypto.X509Certificate(chainDer[0]);
  if (!spkiDer(input.key).equals(spkiDer(leaf.publicKey))) {
    throw new KfeedError('verification', `${input.keyFile} is not the key of ${input.certFile}`, {
      hint: 'pass the private key the CSR was made with (--key)',
    });
  }
  const trusted = certificatePems(input.trustText, input.trustFile).map((pem, i) => ({
    der: pemBlocks(pem)[0].der,
    alias: `ca-${i + 1}`,
  }));
  const files = {
    keystore: path.resolve(input.outDir, JAVA_FILES.keystore),
    truststore: path.resolve(input.outDir, JAVA_FILES.truststore),
    properties: path.resolve(input.outDir, JAVA_FILES.properties),
  };
  if (!input.force) {
    const existing = Object.values(files).filter((file) => fs.existsSync(file));
    if (existing.length)
      throw new KfeedError('conflict', `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}`, {
        hint: 'move them away or pass --force to replace them',
      });
  }
  const keystore = pkcs12Keystore({ key: input.key, chainDer, password: input.password, alias: input.alias });
  const truststore = pkcs12Truststore({ certs: trusted, password: input.password });
  const properties = [
    '# Apache Kafka Java client settings for mutual TLS, written by kfeed cert import.',
    '# This file holds passwords: keep it private (mode 0600).',
    ...(input.bootstrapServers ? [`bootstrap.servers=${propertyValue(input.bootstrapServers)}`] : []),
    'security.protocol=SSL',
    'ssl.keystore.type=PKCS12',
    `ssl.keystore.location=${propertyValue(files.keystore)}`,
    `ssl.keystore.password=${propertyValue(input.password)}`,
    `ssl.key.password=${propertyValue(input.password)}`,
    'ssl.truststore.type=PKCS12',
    `ssl.truststore.location=${propertyValue(files.truststore)}`,
    `ssl.truststore.password=${propertyValue(input.password)}`,
    '',
  ].join('\n');
  const mode = { mode: 0o600, exclusive: !input.force };
  writeFileAtomic(files.keystore, keystore, mode);
  writeFileAtomic(files.truststore, truststore, mode);
  writeFileAtomic(files.properties, properties, mode);
  const principal = certificateInfo(leafPem, input.certFile).principal;
  return { ...files, principal, chainLength: chainPems.length, trustedCount: trusted.length };
}
