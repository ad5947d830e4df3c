import { createRequire } from 'node:module';
import type forge from 'node-forge';

export type Asn1 = forge.asn1.Asn1;
type Asn1Codec = typeof forge.asn1;
// fromDer's options; the typings know only its `strict` flag.
type FromDer = (bytes: string, options: { parseAllBytes: boolean; decodeBitStrings: boolean }) => Asn1;

let codec: Asn1Codec | undefined;

/**
 * node-forge's ASN.1 codec (used by principal.ts, subject.ts and csr.ts). Only its asn1 module is
 * required, and on first use: it loads in a few milliseconds where all of forge takes tens,
 * which `kfeed makecsr` and every command that imports this file would feel.
 */
export function asn1(): Asn1Codec {
  codec ??= createRequire(import.meta.url)('node-forge/lib/asn1.js') as Asn1Codec;
  return codec;
}

/** Reads the first DER element of `der` (bytes after it are ignored); BIT STRINGs stay bytes. */
export function fromDer(der: Buffer | string): Asn1 {
  const bytes = typeof der === 'string' ? der : der.toString('binary');
  return (asn1().fromDer as unknown as FromDer)(bytes, { parseAllBytes: false, decodeBitStrings: false });
}

export function derBytes(element: Asn1): Buffer {
  return Buffer.from(asn1().toDer(element).getBytes(), 'binary');
}

/** A UNIVERSAL element: constructed when given elements, else primitive with these bytes (binary string). */
export function universal(type: forge.asn1.Type, value: string | Asn1[]): Asn1 {
  return asn1().create(asn1().Class.UNIVERSAL, type, Array.isArray(value), value);
}

export function oidElement(dotted: string): Asn1 {
  return universal(asn1().Type.OID, asn1().oidToDer(dotted).getBytes());
}

/** The elements inside a constructed element (SEQUENCE, SET, [n]); throws for anything else. */
export function elementsOf(element: Asn1 | undefined, what: string): Asn1[] {
  if (!element || !Array.isArray(element.value)) throw new Error(`expected ${what}`);
  return element.value;
}

export function isUniversal(element: Asn1 | undefined, type: forge.asn1.Type): element is Asn1 {
  return element?.tagClass === asn1().Class.UNIVERSAL && element.type === type;
}

export function readOid(element: Asn1 | undefined): string {
  if (!isUniversal(element, asn1().Type.OID) || typeof element.value !== 'string')
    throw new Error('expected an OBJECT IDENTIFIER');
  return asn1().derToOid(element.value);
}
