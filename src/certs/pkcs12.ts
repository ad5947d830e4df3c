import crypto from 'node:crypto';
import forge from 'node-forge';

/**
 * PKCS#12 (RFC 7292) files that Java's KeyStore reads, for RSA and EC keys alike (node-forge's
 * own writer only takes RSA keys). Keys are PBES2 / AES-256-CBC / PBKDF2-HMAC-SHA256
 * encrypted, the file is protected by an HMAC-SHA256 MAC, as Java 17 writes them itself.
 */
const { asn1 } = forge;
const OID = {
  data: '1.2.840.113549.1.7.1',
  shroudedKeyBag: '1.2.840.113549.1.12.10.1.2',
  certBag: '1.2.840.113549.1.12.10.1.3',
  x509Certificate: '1.2.840.113549.1.9.22.1',
  friendlyName: '1.2.840.113549.1.9.20',
  localKeyId: '1.2.840.113549.1.9.21',
  sha256: '2.16.840.1.101.3.4.2.1',
  // Java's marker for a trusted certificate entry in a PKCS#12 truststore, with the
  // purposes it is trusted for (anyExtendedKeyUsage: every purpose).
  javaTrustedKeyUsage: '2.16.840.1.113894.746875.1.1',
  anyExtendedKeyUsage: '2.5.29.37.0',
};
const ITERATIONS = 10_000;

const oid = (value: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
const seq = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const set = (items: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, items);
const octets = (bytes: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytes);
const explicit0 = (item: forge.asn1.Asn1) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [item]);
const bin = (buffer: Buffer) => buffer.toString('binary');

function attribute(type: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(type), set([value])]);
}

function friendlyName(name: string): forge.asn1.Asn1 {
  // forge writes a BMPString value as UTF-16 code units itself.
  return attribute(OID.friendlyName, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, name));
}

function certBag(der: Buffer, attributes: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return seq([
    oid(OID.certBag),
    explicit0(seq([oid(OID.x509Certificate), explicit0(octets(bin(der)))])),
    set(attributes),
  ]);
}

function dataContentInfo(bags: forge.asn1.Asn1[]): forge.asn1.Asn1 {
  return seq([oid(OID.data), explicit0(octets(asn1.toDer(seq(bags)).getBytes()))]);
}

function pfx(contentInfos: forge.asn1.Asn1[], password: string): Buffer {
  const authSafe = asn1.toDer(seq(contentInfos)).getBytes();
  const salt = forge.util.binary.raw.encode(crypto.randomBytes(16));
  const macKey = forge.pkcs12.generateKey(
    password,
    forge.util.createBuffer(salt),
    3,
    ITERATIONS,
    32,
    forge.md.sha256.create(),
  );
  const hmac = forge.hmac.create();
  hmac.start('sha256', macKey);
  hmac.update(authSafe);
  const mac = hmac.digest().getBytes();
  const macData = seq([
    seq([seq([oid(OID.sha256), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]), octets(mac)]),
    octets(salt),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(ITERATIONS).getBytes()),
  ]);
  const version = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(3).getBytes());
  return Buffer.from(
    asn1.toDer(seq([version, seq([oid(OID.data), explicit0(octets(authSafe))]), macData])).getBytes(),
    'binary',
  );
}

/** A keystore with one private-key entry `alias`: the key and its chain (leaf first). */
export function pkcs12Keystore(input: {
  key: crypto.KeyObject;
  chainDer: Buffer[];
  password: string;
  alias: string;
}): Buffer {
  const pkcs8 = asn1.fromDer(bin(input.key.export({ type: 'pkcs8', format: 'der' })));
  // PBKDF2 reads the password as bytes; Java encodes it as UTF-8.
  const encrypted = forge.pki.encryptPrivateKeyInfo(pkcs8, forge.util.encodeUtf8(input.password), {
    algorithm: 'aes256',
    count: ITERATIONS,
    saltSize: 16,
    prfAlgorithm: 'sha256',
  } as never);
  const localKeyId = attribute(
    OID.localKeyId,
    octets(bin(crypto.createHash('sha1').update(input.chainDer[0]).digest())),
  );
  const keyBag = seq([oid(OID.shroudedKeyBag), explicit0(encrypted), set([localKeyId, friendlyName(input.alias)])]);
  const certBags = input.chainDer.map((der, i) => certBag(der, i === 0 ? [localKeyId, friendlyName(input.alias)] : []));
  return pfx([dataContentInfo(certBags), dataContentInfo([keyBag])], input.password);
}

/** A truststore: each certificate a trusted-certificate entry that Java's PKCS12 KeyStore loads. */
export function pkcs12Truststore(input: { certs: Array<{ der: Buffer; alias: string }>; password: string }): Buffer {
  const trusted = attribute(OID.javaTrustedKeyUsage, oid(OID.anyExtendedKeyUsage));
  return pfx(
    [dataContentInfo(input.certs.map((c) => certBag(c.der, [friendlyName(c.alias), trusted])))],
    input.password,
  );
}
