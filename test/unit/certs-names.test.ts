import crypto from 'node:crypto';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { asn1, fromDer, oidElement, universal } from '../../src/certs/asn1.js';
import { certificateNames, kafkaPrincipalOfCertificate, parseName, rfc2253 } from '../../src/certs/principal.js';
import { checkSubject, checkSubjectValue, parseSubject, subjectName } from '../../src/certs/subject.js';
import { expectKfeedError } from '../helpers/assert.js';

describe('subject fields', () => {
  it('checks each value: country code, empty, spaces at the ends, RFC 5280 lengths, control characters', () => {
    expect(checkSubjectValue('C', 'US')).toBe(true);
    for (const c of ['us', 'USA', 'U', '', 'U1'])
      expect(checkSubjectValue('C', c)).toBe('C must be a two-letter country code such as US or DE');
    expect(checkSubjectValue('CN', '')).toBe('CN must not be empty');
    expect(checkSubjectValue('O', ' Example')).toBe('O must not begin or end with a space');
    expect(checkSubjectValue('O', 'Example ')).toBe('O must not begin or end with a space');
    expect(checkSubjectValue('O', 'Example Corp')).toBe(true);
    expect(checkSubjectValue('CN', 'x'.repeat(64))).toBe(true);
    expect(checkSubjectValue('CN', 'x'.repeat(65))).toBe('CN must be at most 64 characters');
    expect(checkSubjectValue('OU', 'x'.repeat(65))).toBe('OU must be at most 64 characters');
    expect(checkSubjectValue('L', 'x'.repeat(128))).toBe(true);
    expect(checkSubjectValue('ST', 'x'.repeat(129))).toBe('ST must be at most 128 characters');
    // Characters, not UTF-16 units: 64 emoji are 64 characters.
    expect(checkSubjectValue('CN', '😀'.repeat(64))).toBe(true);
    for (const c of ['\u0000', '\u0009', '\u001f', '\u007f'])
      expect(checkSubjectValue('CN', `a${c}b`)).toBe('CN must not contain control characters');
    expect(checkSubjectValue('CN', 'a\u0080b ~')).toBe(true);
    expect(checkSubjectValue('CN', 'a\u0020b~')).toBe(true);
  });

  it('a subject needs a CN and valid fields', () => {
    const subject = { CN: 'client', O: 'Example Corp', C: 'DE' };
    expect(checkSubject(subject)).toBe(subject);
    expectKfeedError(() => checkSubject({ O: 'x' }), 'usage', 'the subject needs a common name (CN)');
    expectKfeedError(() => checkSubject({ CN: '' }), 'usage', 'the subject needs a common name (CN)');
    expectKfeedError(
      () => checkSubject({ CN: 'a', C: 'Germany' }),
      'usage',
      'C must be a two-letter country code such as US or DE',
    );
    expectKfeedError(() => checkSubject({ CN: 'a', L: ' x' }), 'usage', 'L must not begin or end with a space');
  });

  it('parses RFC 4514 text: escapes, hex bytes, keys in any case, spaces around parts', () => {
    expect(parseSubject('CN=client 1,O=Example\\, Inc.,C=US')).toEqual({ CN: 'client 1', O: 'Example, Inc.', C: 'US' });
    expect(parseSubject(' cn = a , ou=b,o=c,l=d,st=e,c=DE')).toEqual({
      CN: 'a',
      OU: 'b',
      O: 'c',
      L: 'd',
      ST: 'e',
      C: 'DE',
    });
    expect(parseSubject('CN=a\\2Cb\\2bc')).toEqual({ CN: 'a,b+c' });
    expect(parseSubject('CN=Caf\\C3\\A9')).toEqual({ CN: 'Café' });
    expect(parseSubject('CN=a\\+b\\=c')).toEqual({ CN: 'a+b=c' });
    expect(parseSubject('CN=x=y')).toEqual({ CN: 'x=y' });
    expect(parseSubject('CN=trailing\\')).toEqual({ CN: 'trailing\\' });
    expect(parseSubject('CN=é')).toEqual({ CN: 'é' });
    expect(parseSubject('CN=\\zz')).toEqual({ CN: 'zz' });
  });

  it('refuses multi-valued parts, unknown or repeated fields', () => {
    expectKfeedError(() => parseSubject('CN=a+O=b'), 'usage', 'the subject "CN=a+O=b" has a multi-valued part ("+")');
    expectKfeedError(
      () => parseSubject('CN=a,E=me@example.com'),
      'usage',
      '"E=me@example.com" in the subject is not one of CN, OU, O, L, ST, C',
    );
    expectKfeedError(() => parseSubject('=a'), 'usage', '"=a" in the subject is not one of CN, OU, O, L, ST, C');
    expectKfeedError(() => parseSubject('CN'), 'usage', '"CN" in the subject is not one of CN, OU, O, L, ST, C');
    expectKfeedError(() => parseSubject('CN=a,cn=b'), 'usage', 'CN appears twice in the subject');
    expect(() => parseSubject('CN=a,cn=b')).toThrow(expect.objectContaining({ hint: 'give each field once' }));
  });
});

/** DER of a Name built by hand: each RDN a list of [oid, ASN.1 string type, value]. */
function name(rdns: Array<Array<[string, number, string]>>) {
  const { Type } = asn1();
  return universal(
    Type.SEQUENCE,
    rdns.map((rdn) =>
      universal(
        Type.SET,
        rdn.map(([oid, type, value]) => universal(Type.SEQUENCE, [oidElement(oid), universal(type, value)])),
      ),
    ),
  );
}

describe('RFC 2253 names as Java X500Principal.getName() writes them', () => {
  const { Type } = asn1();
  const CN = '2.5.4.3';

  it('the CSR subject comes back most specific first, country as PrintableString, the rest UTF-8', () => {
    const der = asn1()
      .toDer(subjectName({ CN: 'client', OU: 'Feeds', O: 'Example Corp', L: 'Berlin', ST: 'BE', C: 'DE' }))
      .getBytes();
    const parsed = parseName(fromDer(der));
    expect(rfc2253(parsed)).toBe('CN=client,OU=Feeds,O=Example Corp,L=Berlin,ST=BE,C=DE');
    expect(parsed.map((rdn) => rdn[0].tag)).toEqual([
      Type.PRINTABLESTRING,
      Type.UTF8,
      Type.UTF8,
      Type.UTF8,
      Type.UTF8,
      Type.UTF8,
    ]);
    expect(
      rfc2253(
        parseName(
          fromDer(
            asn1()
              .toDer(subjectName({ CN: 'Café ü' }))
              .getBytes(),
          ),
        ),
      ),
    ).toBe('CN=Café ü');
  });

  it('escapes specials anywhere and spaces at the ends', () => {
    const value = (text: string) => rfc2253(parseName(name([[[CN, Type.UTF8, Buffer.from(text).toString('binary')]]])));
    expect(value('a,b=c+d<e>f#g;h"i\\j')).toBe('CN=a\\,b\\=c\\+d\\<e\\>f\\#g\\;h\\"i\\\\j');
    expect(value('  two  ')).toBe('CN=\\ \\ two\\ \\ ');
    expect(value('\rx\r')).toBe('CN=\\\rx\\\r');
    expect(value('   ')).toBe('CN=\\ \\ \\ ');
    expect(value('inner space')).toBe('CN=inner space');
  });

  it('multi-valued RDNs join with +; unknown types and non-text values are #hex of their DER', () => {
    const rdns = name([
      [['2.5.4.6', Type.PRINTABLESTRING, 'US']],
      [
        ['0.9.2342.19200300.100.1.25', Type.IA5STRING, 'example'],
        ['2.5.4.9', Type.UTF8, 'Main St'],
      ],
      [['1.2.840.113549.1.9.1', Type.IA5STRING, 'a@b']],
      [[CN, Type.OCTETSTRING, 'x']],
      [['0.9.2342.19200300.100.1.1', Type.UTF8, 'uid1']],
    ]);
    expect(rfc2253(parseName(rdns))).toBe(
      'UID=uid1,CN=#040178,1.2.840.113549.1.9.1=#1603614062,DC=example+STREET=Main St,C=US',
    );
  });

  it('reads the string types X.500 uses', () => {
    const text = (type: number, content: string) => parseName(name([[[CN, type, content]]]))[0][0].value;
    expect(text(Type.PRINTABLESTRING, 'Plain')).toBe('Plain');
    expect(text(Type.IA5STRING, 'caf\u00e9')).toBe('café');
    expect(text(20, 'caf\u00e9')).toBe('café'); // T61String, read as ISO-8859-1
    expect(text(Type.UTF8, Buffer.from('café').toString('binary'))).toBe('café');
    expect(text(28, Buffer.from([0, 0, 0, 0x41, 0, 1, 0xf6, 0]).toString('binary'))).toBe('A😀');
    expect(text(27, Buffer.from('gé').toString('binary'))).toBe('gé');
    expect(rfc2253(parseName(name([[[CN, 27, 'g']]])))).toBe('CN=g');
  });

  it('refuses what is not a Name', () => {
    expect(() => parseName(undefined)).toThrow('expected a Name');
    expect(() => parseName(universal(asn1().Type.SET, []))).toThrow('expected a Name');
  });
});

/** A v3 certificate for these subject attributes, issued by "CN=Test CA" (self-signed: only names are read). */
function forgeCertificate(attributes: forge.pki.CertificateField[]): forge.pki.Certificate {
  const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.UTC(2025, 0, 1));
  cert.validity.notAfter = new Date(Date.UTC(2026, 0, 1));
  cert.setSubject(attributes);
  cert.setIssuer([{ shortName: 'CN', value: 'Test CA' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return cert;
}

describe('the principal of a certificate', () => {
  const certificate = (attributes: forge.pki.CertificateField[]) =>
    forge.pki.certificateToPem(forgeCertificate(attributes));

  it('is User: and the subject in RFC 2253 form, spaces inside values kept', () => {
    const pem = certificate([
      { shortName: 'C', value: 'US' },
      { shortName: 'O', value: 'Example Corp' },
      { shortName: 'CN', value: 'feed client 1' },
    ]);
    expect(kafkaPrincipalOfCertificate(pem)).toBe('User:CN=feed client 1,O=Example Corp,C=US');
    expect(kafkaPrincipalOfCertificate(`junk before\n${pem}`)).toBe('User:CN=feed client 1,O=Example Corp,C=US');
    const der = forge.pki.pemToDer(pem).getBytes();
    expect(rfc2253(certificateNames(der).issuer)).toBe('CN=Test CA');
  });

  it('says what is wrong with a file that is not a certificate', () => {
    expectKfeedError(() => kafkaPrincipalOfCertificate('hello'), 'usage', 'no certificate found in the file');
    const key = crypto
      .generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    expectKfeedError(() => kafkaPrincipalOfCertificate(key), 'usage', 'no certificate found in the file');
    const bogus = '-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n';
    expectKfeedError(() => kafkaPrincipalOfCertificate(bogus), 'usage', /^not a certificate: /);
  });
});

describe('certificates as Kafka reads them, beyond the usual', () => {
  const v3Certificate = () => forgeCertificate([{ shortName: 'CN', value: 'feed client' }]);

  it('a v1 certificate (no [0] version field) is read from the right fields', () => {
    const tbs = forge.pki.certificateToAsn1(v3Certificate()).value[0] as forge.asn1.Asn1;
    const fields = tbs.value as forge.asn1.Asn1[];
    expect(fields[0].tagClass).toBe(forge.asn1.Class.CONTEXT_SPECIFIC);
    fields.shift(); // v1: serial number first
    const v1 = forge.asn1.toDer(universal(asn1().Type.SEQUENCE, [tbs])).getBytes();
    const names = certificateNames(v1);
    expect([rfc2253(names.subject), rfc2253(names.issuer)]).toEqual(['CN=feed client', 'CN=Test CA']);
  });

  it('reads an "X509 CERTIFICATE" block, and names what is wrong with broken ones', () => {
    const pem = forge.pki.certificateToPem(v3Certificate()).replaceAll('CERTIFICATE-----', 'X509 CERTIFICATE-----');
    expect(pem).toContain('BEGIN X509 CERTIFICATE');
    expect(kafkaPrincipalOfCertificate(pem)).toBe('User:CN=feed client');
    const wrapped = (der: string) =>
      `-----BEGIN CERTIFICATE-----\n${Buffer.from(der, 'binary').toString('base64')}\n-----END CERTIFICATE-----\n`;
    const { Type } = asn1();
    const cases: Array<[forge.asn1.Asn1, string]> = [
      [universal(Type.INTEGER, '\u0001'), 'not a certificate: expected a certificate'],
      [universal(Type.SEQUENCE, [universal(Type.INTEGER, '\u0001')]), 'not a certificate: expected a TBSCertificate'],
      [universal(Type.SEQUENCE, [universal(Type.SEQUENCE, [])]), 'not a certificate: expected a Name'],
    ];
    for (const [element, message] of cases)
      expectKfeedError(
        () => kafkaPrincipalOfCertificate(wrapped(forge.asn1.toDer(element).getBytes())),
        'usage',
        message,
        { hint: 'pass a PEM certificate' },
      );
    expectKfeedError(() => kafkaPrincipalOfCertificate('no PEM here'), 'usage', 'no certificate found in the file', {
      hint: 'pass a PEM file with a BEGIN CERTIFICATE block',
    });
  });

  it('names whose parts are not attributes are refused with what was expected', () => {
    const { Type } = asn1();
    const name = (rdns: forge.asn1.Asn1[]) => universal(Type.SEQUENCE, rdns);
    expect(() => parseName(name([universal(Type.INTEGER, '\u0001')]))).toThrow(
      'expected a relative distinguished name',
    );
    expect(() => parseName(name([universal(Type.SET, [universal(Type.INTEGER, '\u0001')])]))).toThrow(
      'expected an attribute',
    );
    expect(() => parseName(name([universal(Type.SET, [universal(Type.SEQUENCE, [oidElement('2.5.4.3')])])]))).toThrow(
      'expected an attribute value',
    );
  });

  it('a value that is not text is the hex of its DER bytes, high bytes included', () => {
    const { Type } = asn1();
    const rdn = universal(Type.SET, [
      universal(Type.SEQUENCE, [oidElement('1.2.3.4'), universal(Type.OCTETSTRING, '\u00ff\u0080')]),
    ]);
    expect(rfc2253(parseName(universal(Type.SEQUENCE, [rdn])))).toBe('1.2.3.4=#0402ff80');
  });
});
