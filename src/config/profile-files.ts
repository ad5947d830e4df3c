import crypto from 'node:crypto';
import { isEncryptedPem } from '../certs/keys.js';
import { certificatePems } from '../certs/pem.js';
import { KfeedError } from '../errors.js';
import { checkKeyPair } from './connection.js';
import { readUserFile } from './files.js';

/**
 * Checks the files a profile is about to name, so that a typo is refused when the profile is
 * written rather than at the first connection: each exists, the CA file and the certificate
 * hold certificates, the key is a PEM private key and (when it is not encrypted, so no
 * password is needed) the key belongs to the certificate. Paths are absolute.
 */
export function checkProfileFiles(files: { ca?: string; cert?: string; key?: string }): void {
  if (files.ca) readCertificates(files.ca, 'CA file');
  if (files.cert && files.key) {
    const certText = readCertificates(files.cert, 'certificate');
    const keyText = readUserFile(files.key, 'key');
    if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(keyText)) {
      throw new KfeedError('usage', `key ${files.key} is not a PEM private key`, {
        hint: 'pass the private_key.pem that makecsr wrote',
      });
    }
    if (!isEncryptedPem(keyText)) checkKeyPair(certText, keyText, undefined, { cert: files.cert, key: files.key });
  }
}

function readCertificates(file: string, what: string): string {
  const text = readUserFile(file, what);
  for (const pem of certificatePems(text, `${what} ${file}`)) {
    try {
      new crypto.X509Certificate(pem);
    } catch (error) {
      throw new KfeedError('usage', `${what} ${file} holds a damaged certificate (${(error as Error).message})`, {
        hint: 'pass a valid PEM certificate',
      });
    }
  }
  return text;
}
