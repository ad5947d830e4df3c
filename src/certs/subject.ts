import { KfeedError } from '../errors.js';
import { asn1, oidElement, universal, type Asn1 } from './asn1.js';
import type { SubjectFields } from './local-ca.js';

export type SubjectKey = keyof SubjectFields;

/** The subject fields the original makecsr asked for, in the order it asked. */
export const SUBJECT_KEYS: SubjectKey[] = ['CN', 'OU', 'O', 'L', 'ST', 'C'];

export const SUBJECT_LABELS: Record<SubjectKey, string> = {
  CN: 'Common name (CN), e.g. the client or service name',
  OU: 'Organizational unit (OU)',
  O: 'Organization (O)',
  L: 'Locality / city (L)',
  ST: 'State or province (ST)',
  C: 'Country (C), two letters',
};

// Upper bounds from RFC 5280 (ub-common-name 64, ub-locality-name 128, ...).
const MAX_LENGTH: Record<SubjectKey, number> = { CN: 64, OU: 64, O: 64, L: 128, ST: 128, C: 2 };

/** Checks one field's value; returns true or the reason it is refused (inquirer's validate form). */
export function checkSubjectValue(key: SubjectKey, value: string): true | string {
  if (key === 'C') return /^[A-Z]{2}$/.test(value) ? true : 'C must be a two-letter country code such as US or DE';
  if (value.length === 0) return `${key} must not be empty`;
  if (value.trim() !== value) return `${key} must not begin or end with a space`;
  if ([...value].length > MAX_LENGTH[key]) return `${key} must be at most ${MAX_LENGTH[key]} characters`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(value)) return `${key} must not contain control characters`;
  return true;
}

/** Validates a whole subject: CN is required, every given field must pass its check. */
export function checkSubject(subject: SubjectFields): SubjectFields {
  if (!subject.CN)
    throw new KfeedError('usage', 'the subject needs a common name (CN)', {
      hint: 'pass --cn NAME or --subject "CN=NAME,..."',
    });
  for (const key of SUBJECT_KEYS) {
    const value = subject[key];
    if (value === undefined) continue;
    const verdict = checkSubjectValue(key, value);
    if (verdict !== true) throw new KfeedError('usage', verdict, { hint: 'fix the subject and run again' });
  }
  return subject;
}

/**
 * Parses an RFC 4514 string such as `CN=client 1,O=Example\, Inc.,C=US` into fields.
 * Backslash escapes a character (`\,`) or gives a byte in hex (`\2C`); only the six
 * makecsr fields are accepted, each once.
 */
export function parseSubject(text: string): SubjectFields {
  const fields: SubjectFields = {};
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      current += c + text[++i];
    } else if (c === ',') {
      parts.push(current);
      current = '';
    } else if (c === '+') {
      throw new KfeedError('usage', `the subject "${text}" has a multi-valued part ("+")`, {
        hint: 'write one field per part, or escape the "+" as "\\+"',
      });
    } else {
      current += c;
    }
  }
  parts.push(current);
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq > 0 ? part.slice(0, eq).trim().toUpperCase() : '') as SubjectKey;
    if (!SUBJECT_KEYS.includes(key)) {
      throw new KfeedError('usage', `"${part.trim()}" in the subject is not one of ${SUBJECT_KEYS.join(', ')}`, {
        hint: 'write it as "CN=name,OU=unit,O=org,L=city,ST=state,C=US"',
      });
    }
    if (fields[key] !== undefined)
      throw new KfeedError('usage', `${key} appears twice in the subject`, { hint: 'give each field once' });
    fields[key] = unescapeValue(part.slice(eq + 1).trim());
  }
  return fields;
}

function unescapeValue(value: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (value[i] === '\\' && i + 1 < value.length) {
      bytes.push(...Buffer.from(value[++i], 'utf8'));
    } else {
      bytes.push(...Buffer.from(value[i], 'utf8'));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

const OIDS: Record<SubjectKey, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
};

/**
 * A Name with one attribute per RDN, most general first (C ... CN), so the RFC 2253 form
 * Kafka prints starts with CN. Values are UTF8String, except countryName, which X.520
 * requires to be PrintableString. Built element by element so that no character of a value
 * is ever read as syntax.
 */
export function subjectName(subject: SubjectFields): Asn1 {
  const { Type } = asn1();
  const rdns = (['C', 'ST', 'L', 'O', 'OU', 'CN'] as SubjectKey[])
    .filter((key) => subject[key] !== undefined)
    .map((key) => {
      // forge takes content as a binary string: one character per byte.
      const text = subject[key]!;
      const value =
        key === 'C'
          ? universal(Type.PRINTABLESTRING, Buffer.from(text, 'latin1').toString('binary'))
          : universal(Type.UTF8, Buffer.from(text, 'utf8').toString('binary'));
      return universal(Type.SET, [universal(Type.SEQUENCE, [oidElement(OIDS[key]), value])]);
    });
  return universal(Type.SEQUENCE, rdns);
}
