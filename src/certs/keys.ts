import crypto from 'node:crypto';
import { promisify } from 'node:util';
import { KfeedError } from '../errors.js';

export type KeyType = 'rsa2048' | 'rsa3072' | 'rsa4096' | 'p256' | 'p384';
export const KEY_TYPES: KeyType[] = ['rsa2048', 'rsa3072', 'rsa4096', 'p256', 'p384'];

export interface KeyPair {
  type: KeyType;
  privateKey: crypto.KeyObject;
  publicKey: crypto.KeyObject;
}

const generateKeyPair = promisify(crypto.generateKeyPair);

/** A new key pair from Node's native generator (OpenSSL), off the main thread. */
export async function generateKey(type: KeyType): Promise<KeyPair> {
  const pair =
    type === 'p256' || type === 'p384'
      ? await generateKeyPair('ec', { namedCurve: type === 'p256' ? 'P-256' : 'P-384' })
      : await generateKeyPair('rsa', { modulusLength: Number(type.slice(3)), publicExponent: 0x10001 });
  return { type, privateKey: pair.privateKey, publicKey: pair.publicKey };
}

/**
 * PKCS#8 PEM: `BEGIN PRIVATE KEY`, or with a password `BEGIN ENCRYPTED PRIVATE KEY`
 * (PBES2, PBKDF2-HMAC-SHA256, AES-256-CBC), which OpenSSL, Node and Java all read.
 */
export function privateKeyPem(key: crypto.KeyObject, password?: string): string {
  if (password)
    return key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: password }) as string;
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function isEncryptedPem(pem: string): boolean {
  return pem.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/** Reads a PEM private key (PKCS#8, PKCS#1 or SEC1; encrypted needs the password). */
export function loadPrivateKey(pem: string, file: string, password?: string): crypto.KeyObject {
  if (!/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) {
    throw new KfeedError('usage', `${file} is not a PEM private key`, {
      hint: 'pass the private_key.pem that makecsr wrote',
    });
  }
  if (isEncryptedPem(pem) && !password) {
    throw new KfeedError('config', `key ${file} is encrypted and no password was given`, {
      hint: 'set PK_PASSWORD or run in a terminal to be asked',
    });
  }
  try {
    return crypto.createPrivateKey(
      password ? { key: pem, format: 'pem', passphrase: password } : { key: pem, format: 'pem' },
    );
  } catch (error) {
    if (isEncryptedPem(pem))
      throw new KfeedError('config', `cannot decrypt ${file}: wrong password`, { hint: 'check PK_PASSWORD' });
    throw new KfeedError('usage', `${file} is not a readable private key (${(error as Error).message})`, {
      hint: 'pass a PEM private key',
    });
  }
}

/** "RSA 2048", "EC P-256": what people call a key. */
export function describeKey(key: crypto.KeyObject): {
  algorithm: 'RSA' | 'EC' | string;
  size?: number;
  curve?: string;
  label: string;
} {
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  if (type === 'rsa' || type === 'rsa-pss')
    return { algorithm: 'RSA', size: details.modulusLength, label: `RSA ${details.modulusLength}` };
  if (type === 'ec') {
    const curve =
      { prime256v1: 'P-256', secp384r1: 'P-384', secp521r1: 'P-521' }[details.namedCurve ?? ''] ?? details.namedCurve;
    const size = { 'P-256': 256, 'P-384': 384, 'P-521': 521 }[curve ?? ''];
    return { algorithm: 'EC', size, curve, label: `EC ${curve}` };
  }
  return { algorithm: type.toUpperCase(), label: type.toUpperCase() };
}

/** The DER of a public key (SubjectPublicKeyInfo), to compare keys byte for byte. */
export function spkiDer(key: crypto.KeyObject): Buffer {
  const publicKey = key.type === 'private' ? crypto.createPublicKey(key) : key;
  return publicKey.export({ type: 'spki', format: 'der' });
}

export type WebAlgorithm = { name: string; hash?: string; namedCurve?: string };
export type WebKeyPair = { privateKey: crypto.webcrypto.CryptoKey; publicKey: crypto.webcrypto.CryptoKey };

/** A Node private key as a WebCrypto key pair with its signing algorithm (SHA-384 for P-384). */
export async function cryptoKeyPair(
  privateKey: crypto.KeyObject,
): Promise<{ keys: WebKeyPair; algorithm: WebAlgorithm }> {
  const info = describeKey(privateKey);
  let params: { import: WebAlgorithm; sign: WebAlgorithm };
  if (info.algorithm === 'RSA')
    params = {
      import: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
      sign: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    };
  else if (info.curve === 'P-256' || info.curve === 'P-384')
    params = {
      import: { name: 'ECDSA', namedCurve: info.curve },
      sign: { name: 'ECDSA', hash: info.curve === 'P-384' ? 'SHA-384' : 'SHA-256' },
    };
  else
    throw new KfeedError('usage', `keys of type ${info.label} are not supported`, {
      hint: 'use RSA (2048, 3072, 4096) or EC P-256 / P-384',
    });
  const subtle = crypto.webcrypto.subtle;
  const keys = {
    privateKey: await subtle.importKey(
      'pkcs8',
      privateKey.export({ type: 'pkcs8', format: 'der' }),
      params.import,
      false,
      ['sign'],
    ),
    publicKey: await subtle.importKey(
      'spki',
      crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' }),
      params.import,
      true,
      ['verify'],
    ),
  };
  return { keys, algorithm: params.sign };
}
