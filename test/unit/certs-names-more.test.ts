import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { asn1, fromDer, oidElement, universal } from '../../src/certs/asn1.js';
import { certificateNames, kafkaPrincipalOfCertificate, parseName, rfc2253 } from '../../src/certs/principal.js';
import { checkSubject, parseSubject } from '../../src/certs/subject.js';
import { expectKfeedError } from '../helpers/assert.js';

const CN = '2.5.4.3';

/** A Name of one RDN holding one CN attribute with this value element, read back from its DER. */
function nameWithValue(value: forge.asn1.Asn1) {
  const { Type } = asn1();
  const name = universal(Type.SEQUENCE, [universal(Type.SET, [universal(Type.SEQUENCE, [oidElement(CN), value])])]);
  return parseName(fromDer(asn1().toDer(name).getBytes()));
}

describe('attribute values beyond the plain string types', () => {
  const { Class, Type } = asn1();

  it('a BMPString is UTF-16 text (surrogate pairs too) and printed as text', () => {
    const [[attribute]] = nameWithValue(universal(Type.BMPSTRING, 'Aé€😀'));
    expect(attribute.value).toBe('Aé€😀');
    // Its DER is big-endian UTF-16: 00 41, 00 e9, 20 ac, d8 3d de 00.
    expect(Buffer.from(attribute.der, 'binary').toString('hex')).toBe('1e0a004100e920acd83dde00');
    expect(rfc2253([[attribute]])).toBe('CN=Aé€😀');
  });

  it('a UniversalString is read four bytes per character; a partial last character is dropped', () => {
    const bytes = Buffer.from([0, 0, 0, 0x41, 0, 0, 0]).toString('binary');
    expect(nameWithValue(universal(28 as forge.asn1.Type, bytes))[0][0].value).toBe('A');
  });

  it('a constructed value is the UTF-8 of its content, and printed as #hex of its DER', () => {
    const name = nameWithValue(universal(Type.SEQUENCE, [universal(Type.UTF8, 'ab')]));
    expect(name[0][0].value).toBe('\u000c\u0002ab');
    expect(rfc2253(name)).toBe('CN=#30040c026162');
  });

  it('a context-specific value is UTF-8 whatever its tag number, and printed as #hex', () => {
    // [19] has the number of PrintableString (read as ISO-8859-1 when UNIVERSAL): the class decides.
    const name = nameWithValue(asn1().create(Class.CONTEXT_SPECIFIC, 19, false, Buffer.from('é').toString('binary')));
    expect(name[0][0].value).toBe('é');
    expect(rfc2253(name)).toBe('CN=#9302c3a9');
  });

  it('a SEQUENCE tag without the constructed bit is not a Name', () => {
    expect(() => parseName(fromDer('\u0010\u0001\u0001'))).toThrow(/^expected a Name$/);
  });
});

describe('the fields of a certificate', () => {
  /** The DER of a self-signed v3 certificate for CN=feed client, its first TBSCertificate field replaced. */
  function withFirstField(first: forge.asn1.Asn1): string {
    const keys = forge.pki.rsa.generateKeyPair({ bits: 512, e: 0x10001 });
    const cert = forge.pki.createCertificate();
    cert.publicKey = keys.publicKey;
    cert.serialNumber = '01';
    cert.setSubject([{ shortName: 'CN', value: 'feed client' }]);
    cert.setIssuer([{ shortName: 'CN', value: 'Test CA' }]);
    cert.sign(keys.privateKey, forge.md.sha256.create());
    const certificate = forge.pki.certificateToAsn1(cert);
    const tbs = certificate.value[0] as forge.asn1.Asn1;
    (tbs.value as forge.asn1.Asn1[])[0] = first;
    return forge.asn1.toDer(certificate).getBytes();
  }

  it('only an explicit [0] is skipped as the version: [1] or a UNIVERSAL 0 in its place is not', () => {
    const { Class, Type } = asn1();
    const version = universal(Type.INTEGER, '\u0002');
    expect(
      rfc2253(certificateNames(withFirstField(asn1().create(Class.CONTEXT_SPECIFIC, 0, true, [version]))).subject),
    ).toBe('CN=feed client');
    // Not skipped, it shifts every field: the issuer is read from the AlgorithmIdentifier, which holds no RDNs.
    for (const first of [asn1().create(Class.CONTEXT_SPECIFIC, 1, true, [version]), universal(Type.NONE, '')])
      expectKfeedError(
        () => certificateNames(withFirstField(first)),
        'usage',
        'not a certificate: expected a relative distinguished name',
        { hint: 'pass a PEM certificate' },
      );
  });

  it('text that is not a string (a Buffer read without an encoding) is not a PEM certificate', () => {
    const pem = Buffer.from('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n');
    expectKfeedError(
      () => kafkaPrincipalOfCertificate(pem as unknown as string),
      'usage',
      'the file is not a PEM certificate',
      { hint: 'pass a PEM file with a BEGIN CERTIFICATE block' },
    );
  });
});

describe('subject text and its errors', () => {
  it('an escaped backslash does not start a hex pair: \\\\41 is a backslash and "41"', () => {
    expect(parseSubject('CN=a\\\\41')).toEqual({ CN: 'a\\41' });
    expect(parseSubject('CN=a\\\\\\41')).toEqual({ CN: 'a\\A' });
  });

  it('an unknown part is quoted without the spaces around it', () => {
    expectKfeedError(
      () => parseSubject('CN=a,  E=me@example.com '),
      'usage',
      '"E=me@example.com" in the subject is not one of CN, OU, O, L, ST, C',
      { hint: 'write it as "CN=name,OU=unit,O=org,L=city,ST=state,C=US"' },
    );
  });

  it('each refusal says what to do', () => {
    expectKfeedError(() => checkSubject({ O: 'x' }), 'usage', 'the subject needs a common name (CN)', {
      hint: 'pass --cn NAME or --subject "CN=NAME,..."',
    });
    expectKfeedError(() => checkSubject({ CN: 'a', OU: '' }), 'usage', 'OU must not be empty', {
      hint: 'fix the subject and run again',
    });
    expectKfeedError(() => parseSubject('CN=a+O=b'), 'usage', 'the subject "CN=a+O=b" has a multi-valued part ("+")', {
      hint: 'write one field per part, or escape the "+" as "\\+"',
    });
  });
});
