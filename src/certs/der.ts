/**
 * Just enough DER (X.690) to write and read certificate requests and names with Node's own
 * crypto: loading a full ASN.1 library costs more time than making an RSA key.
 */

export const TAG = {
  boolean: 0x01,
  integer: 0x02,
  bitString: 0x03,
  octetString: 0x04,
  null: 0x05,
  oid: 0x06,
  utf8String: 0x0c,
  printableString: 0x13,
  t61String: 0x14,
  ia5String: 0x16,
  universalString: 0x1c,
  bmpString: 0x1e,
  sequence: 0x30,
  set: 0x31,
} as const;

function lengthBytes(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([tag]), lengthBytes(content.length), content]);
}

export const sequence = (...items: Buffer[]) => tlv(TAG.sequence, Buffer.concat(items));
export const set = (...items: Buffer[]) => tlv(TAG.set, Buffer.concat(items));
/** [n] EXPLICIT (constructed, context-specific). */
export const explicit = (n: number, ...items: Buffer[]) => tlv(0xa0 | n, Buffer.concat(items));
export const nullValue = () => Buffer.from([TAG.null, 0]);
export const integer = (n: number) => tlv(TAG.integer, Buffer.from([n])); // small non-negative only
export const utf8 = (text: string) => tlv(TAG.utf8String, Buffer.from(text, 'utf8'));
export const printable = (text: string) => tlv(TAG.printableString, Buffer.from(text, 'latin1'));
export const octetString = (bytes: Uint8Array) => tlv(TAG.octetString, bytes);
export const bitString = (bytes: Uint8Array) => tlv(TAG.bitString, Buffer.concat([Buffer.from([0]), bytes]));

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const bytes = [parts[0] * 40 + parts[1]];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let n = part;
    do {
      chunk.unshift(n & 0x7f);
      n = Math.floor(n / 128);
    } while (n > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i] |= 0x80;
    bytes.push(...chunk);
  }
  return tlv(TAG.oid, Buffer.from(bytes));
}

/** One element read from DER: its tag, its whole encoding and its content. */
export interface Element {
  tag: number;
  /** Tag, length and content. */
  raw: Buffer;
  content: Buffer;
}

/** Reads the element at `offset`; throws on anything malformed. */
export function readElement(buffer: Buffer, offset = 0): Element {
  if (offset + 2 > buffer.length) throw new Error('truncated DER');
  const tag = buffer[offset];
  if ((tag & 0x1f) === 0x1f) throw new Error('multi-byte DER tags are not supported');
  let length = buffer[offset + 1];
  let header = 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (count === 0 || count > 4 || offset + 2 + count > buffer.length) throw new Error('bad DER length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + buffer[offset + 2 + i];
    header += count;
  }
  const end = offset + header + length;
  if (end > buffer.length) throw new Error('truncated DER');
  return { tag, raw: buffer.subarray(offset, end), content: buffer.subarray(offset + header, end) };
}

/** The elements inside a constructed element (SEQUENCE, SET, [n]). */
export function children(element: Element): Element[] {
  const items: Element[] = [];
  for (let at = 0; at < element.content.length; ) {
    const item = readElement(element.content, at);
    items.push(item);
    at += item.raw.length;
  }
  return items;
}

export function readOid(element: Element): string {
  if (element.tag !== TAG.oid) throw new Error('expected an OBJECT IDENTIFIER');
  const bytes = element.content;
  const parts = [Math.floor(bytes[0] / 40), bytes[0] % 40];
  let n = 0;
  for (const byte of bytes.subarray(1)) {
    n = n * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      parts.push(n);
      n = 0;
    }
  }
  return parts.join('.');
}

/** The text of a string element (the types X.500 names use). */
export function readString(element: Element): string {
  switch (element.tag) {
    case TAG.bmpString: {
      let out = '';
      for (let i = 0; i + 1 < element.content.length; i += 2) out += String.fromCharCode(element.content.readUInt16BE(i));
      return out;
    }
    case TAG.universalString: {
      let out = '';
      for (let i = 0; i + 3 < element.content.length; i += 4) out += String.fromCodePoint(element.content.readUInt32BE(i));
      return out;
    }
    case TAG.printableString:
    case TAG.ia5String:
    case TAG.t61String: // Java reads T61String as ISO-8859-1 too
      return element.content.toString('latin1');
    default:
      return element.content.toString('utf8');
  }
}
