import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import forge from 'node-forge';
import { describe, expect, it } from 'vitest';
import { requireTool, tempDir } from './helpers/env.js';
import { kfeed } from './helpers/run.js';
import { expectFailure, listing } from './helpers/assert.js';

const SUBJECT = 'CN=feed client 1,OU=Market Data,O=Example Corp,L=Seattle,ST=WA,C=US';

function openssl(args: string[], input?: string) {
  requireTool('openssl', 'apt-get install openssl');
  return spawnSync('openssl', args, { encoding: 'utf8', input });
}

describe('makecsr', () => {
  it('writes a PKCS#8 key (0600), a SHA-256 CSR with the subject and SANs, and the public roots as truststore', async () => {
    const dir = tempDir();
    const result = await kfeed(
      [
        'makecsr',
        '--yes',
        '--subject',
        SUBJECT,
        '--san',
        'feed.example.com',
        '--san',
        '10.1.2.3',
        '--san',
        '2001:db8::7',
        '--san',
        '::ffff:10.0.0.1',
        '--json',
      ],
      { cwd: dir },
    );
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ subject: SUBJECT, principal: `User:${SUBJECT}`, key: 'RSA 2048', encrypted: false });
    const key = path.join(dir, 'private_key.pem');
    expect(fs.statSync(key).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(key, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    const csr = openssl([
      'req',
      '-in',
      path.join(dir, 'client_cert.csr'),
      '-noout',
      '-verify',
      '-text',
      '-nameopt',
      'RFC2253',
    ]);
    expect(csr.stderr + csr.stdout).toMatch(/verify OK/);
    expect(csr.stdout).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(csr.stdout).toContain('Public-Key: (2048 bit)');
    expect(csr.stdout).toContain(`Subject: ${SUBJECT}`);
    expect(csr.stdout).toMatch(
      /DNS:feed\.example\.com, IP Address:10\.1\.2\.3, IP Address:2001:DB8:0:0:0:0:0:7, IP Address:0:0:0:0:0:FFFF:A00:1/,
    );
    // The key and the CSR belong together.
    const keyPub = crypto.createPublicKey(fs.readFileSync(key, 'utf8')).export({ type: 'spki', format: 'der' });
    const csrPub = openssl(['req', '-in', path.join(dir, 'client_cert.csr'), '-noout', '-pubkey']).stdout;
    expect(crypto.createPublicKey(csrPub).export({ type: 'spki', format: 'der' }).equals(keyPub)).toBe(true);
    const roots = fs.readFileSync(path.join(dir, 'truststore.pem'), 'utf8').match(/BEGIN CERTIFICATE/g) ?? [];
    expect(roots.length).toBe(tls.rootCertificates.length);
  });

  it('makes EC keys, encrypts the key with PK_PASSWORD, and uses --ca for the truststore', async () => {
    const dir = tempDir();
    const ca = await kfeed(['ca', 'init', 'ca'], { cwd: dir });
    expect(ca.code).toBe(0);
    const result = await kfeed(
      [
        'makecsr',
        '--yes',
        '--cn',
        'ec client',
        '--c',
        'DE',
        '--key-type',
        'p384',
        '--ca',
        'ca/ca.pem',
        '--out-dir',
        'out',
      ],
      { cwd: dir, env: { PK_PASSWORD: 's3cret pass' } },
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('EC P-384, PKCS#8, encrypted');
    const keyPem = fs.readFileSync(path.join(dir, 'out/private_key.pem'), 'utf8');
    expect(keyPem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(() => crypto.createPrivateKey(keyPem)).toThrow();
    expect(crypto.createPrivateKey({ key: keyPem, passphrase: 's3cret pass' }).asymmetricKeyDetails?.namedCurve).toBe(
      'secp384r1',
    );
    const csr = openssl(['req', '-in', path.join(dir, 'out/client_cert.csr'), '-noout', '-verify', '-text']);
    expect(csr.stderr + csr.stdout).toMatch(/verify OK/);
    expect(csr.stdout).toContain('ecdsa-with-SHA384');
    const trusted = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'out/truststore.pem')));
    expect(trusted.fingerprint256).toBe(
      new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'ca/ca.pem'))).fingerprint256,
    );
    expect(fs.readFileSync(path.join(dir, 'out/truststore.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });

  it('refuses bad input with one line and its exit code, and writes nothing', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'not-a-ca.pem'), 'hello\n');
    const cases: Array<[string[], number, RegExp]> = [
      [['makecsr', '--yes'], 2, /no subject given — with --yes pass --cn/],
      [['makecsr', '--yes', '--cn', 'a', '--c', 'USA'], 2, /C must be a two-letter country code/],
      [['makecsr', '--yes', '--subject', 'CN=a,X=b'], 2, /"X=b" in the subject is not one of CN, OU, O, L, ST, C/],
      [['makecsr', '--yes', '--subject', 'CN=a+O=b'], 2, /multi-valued part/],
      [['makecsr', '--yes', '--subject', 'CN=a', '--cn', 'b'], 2, /CN is given twice/],
      [['makecsr', '--yes', '--cn', 'x'.repeat(65)], 2, /CN must be at most 64 characters/],
      [
        ['makecsr', '--yes', '--cn', 'a', '--san', 'not a host!'],
        2,
        /"not a host!" is neither a DNS name nor an IP address/,
      ],
      [['makecsr', '--yes', '--cn', 'a', '--ca', 'missing.pem'], 3, /CA file .*missing\.pem does not exist/],
      [['makecsr', '--yes', '--cn', 'a', '--ca', 'not-a-ca.pem'], 2, /not-a-ca\.pem holds no certificate/],
      [['makecsr', '--yes', '--cn', 'a', '--key-type', 'dsa'], 2, /argument 'dsa' is invalid/],
    ];
    for (const [args, code, message] of cases) {
      expectFailure(await kfeed(args, { cwd: dir }), code, message);
      expect(listing(dir)).toEqual(['not-a-ca.pem']);
    }
  });

  it('never overwrites an existing key without --force', async () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'private_key.pem'), 'precious\n', { mode: 0o600 });
    expectFailure(
      await kfeed(['makecsr', '--yes', '--cn', 'a'], { cwd: dir }),
      8,
      /private_key\.pem already exists — .*--force/,
    );
    expect(fs.readFileSync(path.join(dir, 'private_key.pem'), 'utf8')).toBe('precious\n');
    expect(listing(dir)).toEqual(['private_key.pem']);
    const forced = await kfeed(['makecsr', '--yes', '--cn', 'a', '--force'], { cwd: dir });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'private_key.pem'), 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
  });
});

describe('issuecert --local-ca, cert inspect and cert verify', () => {
  it('signs RSA and EC CSRs; the result chains to the CA, carries the subject, SANs and client usage', async () => {
    const dir = tempDir();
    expect((await kfeed(['ca', 'init', 'ca', '--cn', 'Dev CA', '--o', 'Example Corp'], { cwd: dir })).code).toBe(0);
    expect(fs.statSync(path.join(dir, 'ca/ca-key.pem')).mode & 0o777).toBe(0o600);
    for (const keyType of ['rsa2048', 'p256']) {
      const out = path.join(dir, keyType);
      expect(
        (
          await kfeed(
            [
              'makecsr',
              '--yes',
              '--subject',
              SUBJECT,
              '--san',
              'feed.example.com',
              '--key-type',
              keyType,
              '--out-dir',
              out,
            ],
            { cwd: dir },
          )
        ).code,
      ).toBe(0);
      const issued = await kfeed(
        ['issuecert', `${keyType}/client_cert.csr`, '--local-ca', 'ca', '--validity-days', '30', '--json'],
        { cwd: dir },
      );
      expect(issued.code).toBe(0);
      expect(JSON.parse(issued.stdout)).toMatchObject({
        file: path.join(out, 'client_cert.pem'),
        subject: SUBJECT,
        issuer: 'CN=Dev CA,O=Example Corp',
        chainLength: 1,
      });
      const verified = openssl([
        'verify',
        '-CAfile',
        path.join(dir, 'ca/ca.pem'),
        '-purpose',
        'sslclient',
        path.join(out, 'client_cert.pem'),
      ]);
      expect(verified.stdout).toContain('OK');

      const inspected = await kfeed(['cert', 'inspect', `${keyType}/client_cert.pem`, '--json'], { cwd: dir });
      expect(inspected.code).toBe(0);
      const info = JSON.parse(inspected.stdout);
      expect(info.certificate).toMatchObject({
        subject: SUBJECT,
        principal: `User:${SUBJECT}`,
        sans: ['DNS:feed.example.com'],
        daysLeft: 29,
        expired: false,
        key: { label: keyType === 'p256' ? 'EC P-256' : 'RSA 2048' },
        extendedKeyUsage: ['serverAuth', 'clientAuth'],
        isCa: false,
      });
      expect(info.certificate.fingerprintSha256).toBe(
        new crypto.X509Certificate(fs.readFileSync(path.join(out, 'client_cert.pem'))).fingerprint256,
      );
      expect(info.chain[0]).toMatchObject({ subject: 'CN=Dev CA,O=Example Corp', isCa: true, selfSigned: true });

      const good = await kfeed(
        [
          'cert',
          'verify',
          '--cert',
          `${keyType}/client_cert.pem`,
          '--key',
          `${keyType}/private_key.pem`,
          '--ca',
          'ca/ca.pem',
        ],
        { cwd: dir },
      );
      expect(good.code).toBe(0);
      expect(good.stdout).toContain(`verdict: ${keyType}/client_cert.pem is good for mTLS as User:${SUBJECT}`);
    }
    const human = await kfeed(['cert', 'inspect', 'rsa2048/client_cert.pem'], { cwd: dir });
    expect(human.stdout).toMatch(
      /^principal\s+User:CN=feed client 1,OU=Market Data,O=Example Corp,L=Seattle,ST=WA,C=US$/m,
    );
    expect(human.stdout).toMatch(/^key\s+RSA 2048$/m);
  });

  it('cert verify names what is wrong: a foreign key, an untrusted CA, an expired certificate', async () => {
    const dir = tempDir();
    await kfeed(['ca', 'init', 'ca'], { cwd: dir });
    await kfeed(['ca', 'init', 'other'], { cwd: dir });
    await kfeed(['makecsr', '--yes', '--cn', 'a', '--out-dir', 'a'], { cwd: dir });
    await kfeed(['makecsr', '--yes', '--cn', 'b', '--out-dir', 'b'], { cwd: dir });
    expect((await kfeed(['issuecert', 'a/client_cert.csr', '--local-ca', 'ca'], { cwd: dir })).code).toBe(0);

    // verify reports every check on stdout, then names the first failure in one line on stderr and exits 11.
    const wrongKey = await kfeed(
      ['cert', 'verify', '--cert', 'a/client_cert.pem', '--key', 'b/private_key.pem', '--ca', 'ca/ca.pem', '--json'],
      { cwd: dir },
    );
    expect(wrongKey.code).toBe(11);
    expect(wrongKey.stderr).toBe(
      'kfeed: a/client_cert.pem will not work for mTLS: key: b/private_key.pem does not belong to this certificate — pass the key the CSR was made with (--key)\n',
    );
    const report = JSON.parse(wrongKey.stdout);
    expect(report.ok).toBe(false);
    expect(report.checks.map((c: { ok: boolean }) => c.ok)).toEqual([false, true, true, true]);
    expect(report.checks[0].detail).toBe('b/private_key.pem does not belong to this certificate');

    const untrusted = await kfeed(
      ['cert', 'verify', '--cert', 'a/client_cert.pem', '--key', 'a/private_key.pem', '--ca', 'other/ca.pem'],
      { cwd: dir },
    );
    expect(untrusted.code).toBe(11);
    expect(untrusted.stdout).toMatch(
      /^FAIL\s+chain\s+"CN=kfeed development CA" is a root CA that other\/ca\.pem does not hold$/m,
    );
    expect(untrusted.stdout).toMatch(/^verdict: a\/client_cert\.pem will not work for mTLS$/m);
    expectFailure(
      untrusted,
      11,
      /^kfeed: a\/client_cert\.pem will not work for mTLS: chain: "CN=kfeed development CA" is a root CA that other\/ca\.pem does not hold — pass the CA that signed it/,
    );

    // An expired certificate, signed by the same CA with node-forge.
    const caCert = forge.pki.certificateFromPem(fs.readFileSync(path.join(dir, 'ca/ca.pem'), 'utf8'));
    const caKey = forge.pki.privateKeyFromPem(fs.readFileSync(path.join(dir, 'ca/ca-key.pem'), 'utf8'));
    const old = forge.pki.createCertificate();
    old.publicKey = forge.pki.publicKeyFromPem(
      crypto
        .createPublicKey(fs.readFileSync(path.join(dir, 'a/private_key.pem')))
        .export({ type: 'spki', format: 'pem' }) as string,
    );
    old.serialNumber = '01';
    old.validity.notBefore = new Date(Date.now() - 10 * 86_400_000);
    old.validity.notAfter = new Date(Date.now() - 86_400_000);
    old.setSubject([{ shortName: 'CN', value: 'a' }]);
    old.setIssuer(caCert.subject.attributes);
    old.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    fs.writeFileSync(path.join(dir, 'a/expired.pem'), forge.pki.certificateToPem(old));
    const expired = await kfeed(
      ['cert', 'verify', '--cert', 'a/expired.pem', '--key', 'a/private_key.pem', '--ca', 'ca/ca.pem'],
      { cwd: dir },
    );
    expect(expired.code).toBe(11);
    expect(expired.stdout).toMatch(/^FAIL\s+validity\s+"CN=a" expired on /m);
    expectFailure(expired, 11, /^kfeed: a\/expired\.pem will not work for mTLS: validity: "CN=a" expired on /);
    const inspected = JSON.parse((await kfeed(['cert', 'inspect', 'a/expired.pem', '--json'], { cwd: dir })).stdout);
    expect(inspected).toMatchObject({ expired: true, daysLeft: -2 });
  });

  it('a CA never signs past its own end: issuecert cuts the validity and says so, verify counts the chain', async () => {
    const dir = tempDir();
    expect((await kfeed(['ca', 'init', 'ca', '--days', '30'], { cwd: dir })).code).toBe(0);
    expect((await kfeed(['makecsr', '--yes', '--cn', 'short', '--out-dir', 'a'], { cwd: dir })).code).toBe(0);
    const issued = await kfeed(['issuecert', 'a/client_cert.csr', '--local-ca', 'ca', '--validity-days', '300'], {
      cwd: dir,
    });
    expect(issued.code).toBe(0);
    const caEnd = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'ca/ca.pem'))).validTo;
    expect(issued.stderr).toMatch(/warning: the CA in .* ends on .*: the certificate ends then too/);
    const leaf = new crypto.X509Certificate(fs.readFileSync(path.join(dir, 'a/client_cert.pem')));
    expect(new Date(leaf.validTo).getTime()).toBe(new Date(caEnd).getTime());
    // openssl agrees the chain is good (the end is the CA's, not later).
    const checked = openssl([
      'verify',
      '-CAfile',
      path.join(dir, 'ca/ca.pem'),
      '-purpose',
      'sslclient',
      path.join(dir, 'a/client_cert.pem'),
    ]);
    expect(checked.stdout).toMatch(/: OK/);

    // A leaf that outlives its CA (made by hand, as another tool might): verify counts the CA's end.
    const caCert = forge.pki.certificateFromPem(fs.readFileSync(path.join(dir, 'ca/ca.pem'), 'utf8'));
    const caKey = forge.pki.privateKeyFromPem(fs.readFileSync(path.join(dir, 'ca/ca-key.pem'), 'utf8'));
    const long = forge.pki.createCertificate();
    long.publicKey = forge.pki.publicKeyFromPem(
      crypto
        .createPublicKey(fs.readFileSync(path.join(dir, 'a/private_key.pem')))
        .export({ type: 'spki', format: 'pem' }) as string,
    );
    long.serialNumber = '02';
    long.validity.notBefore = new Date(Date.now() - 60_000);
    long.validity.notAfter = new Date(Date.now() + 300 * 86_400_000);
    long.setSubject([{ shortName: 'CN', value: 'short' }]);
    long.setIssuer(caCert.subject.attributes);
    long.sign(caKey as forge.pki.rsa.PrivateKey, forge.md.sha256.create());
    fs.writeFileSync(path.join(dir, 'a/long.pem'), forge.pki.certificateToPem(long));
    const verified = await kfeed(
      ['cert', 'verify', '--cert', 'a/long.pem', '--key', 'a/private_key.pem', '--ca', 'ca/ca.pem', '--json'],
      { cwd: dir },
    );
    expect(verified.code).toBe(0);
    const report = JSON.parse(verified.stdout);
    expect(report).toMatchObject({ ok: true, validUntil: new Date(caEnd).toISOString(), daysLeft: 29 });
    expect(report.checks.find((c: { name: string }) => c.name === 'validity').detail).toMatch(
      /29 days left; "CN=kfeed development CA" ends first/,
    );
  });

  it('issuecert refuses what is not a good CSR, and writes nothing', async () => {
    const dir = tempDir();
    await kfeed(['ca', 'init', 'ca'], { cwd: dir });
    await kfeed(['makecsr', '--yes', '--cn', 'a', '--out-dir', 'a'], { cwd: dir });
    fs.writeFileSync(path.join(dir, 'cert.pem'), fs.readFileSync(path.join(dir, 'ca/ca.pem')));
    // Same CSR, one byte of the subject changed: the signature no longer verifies.
    const csr = fs.readFileSync(path.join(dir, 'a/client_cert.csr'), 'utf8');
    const der = Buffer.from(csr.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
    der[der.indexOf(Buffer.from('a', 'latin1'), der.indexOf(Buffer.from([0x55, 0x04, 0x03])))] = 'b'.charCodeAt(0);
    fs.writeFileSync(
      path.join(dir, 'tampered.csr'),
      `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64')}\n-----END CERTIFICATE REQUEST-----\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'garbage.csr'),
      '-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n',
    );
    fs.mkdirSync(path.join(dir, 'empty'));
    const before = listing(dir);
    const cases: Array<[string[], number, RegExp]> = [
      [['issuecert', 'cert.pem', '--local-ca', 'ca'], 2, /cert\.pem is not a certificate signing request/],
      [['issuecert', 'garbage.csr', '--local-ca', 'ca'], 2, /garbage\.csr is not a valid certificate signing request/],
      [['issuecert', 'tampered.csr', '--local-ca', 'ca'], 11, /the signature of tampered\.csr does not verify/],
      [['issuecert', 'missing.csr', '--local-ca', 'ca'], 3, /CSR .*missing\.csr does not exist/],
      [['issuecert', 'a/client_cert.csr', '--local-ca', 'empty'], 3, /empty holds no CA/],
      [
        ['issuecert', 'a/client_cert.csr', '--local-ca', 'ca', '--ca-arn', 'arn:x'],
        2,
        /--ca-arn and --local-ca name two different CAs/,
      ],
      [
        ['issuecert', 'a/client_cert.csr', '--local-ca', 'ca', '--validity-days', '0'],
        2,
        /--validity-days must be between 1/,
      ],
      [['ca', 'init', 'ca'], 8, /a CA already exists in/],
    ];
    for (const [args, code, message] of cases) {
      expectFailure(await kfeed(args, { cwd: dir }), code, message);
      expect(listing(dir)).toEqual(before);
      expect(listing(path.join(dir, 'a'))).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
    }
    expect((await kfeed(['issuecert', 'a/client_cert.csr', '--local-ca', 'ca'], { cwd: dir })).code).toBe(0);
    expectFailure(
      await kfeed(['issuecert', 'a/client_cert.csr', '--local-ca', 'ca'], { cwd: dir }),
      8,
      /client_cert\.pem already exists/,
    );
  });
});

describe('the Kafka principal of a certificate', () => {
  it("equals Java's X500Principal.getName() for tricky subjects", async () => {
    requireTool('java', 'apt-get install openjdk-17-jdk-headless');
    const dir = tempDir();
    // openssl -subj syntax: "/" separates RDNs, "+" joins a multi-valued RDN, "\" escapes.
    const subjects = [
      '/C=US/O=Example Corp/OU=Market Data/CN=feed client 1',
      '/O=Example, Inc./CN=a\\+b=c;d',
      '/CN=\\#leading hash/O=trailing space \\ ',
      '/CN= leading space/OU="quoted"/O=back\\\\slash<>',
      '/CN=client/emailAddress=ops@example.com/DC=example/DC=com',
      '/CN=Zürich Kunde/O=Société Générale/L=東京',
      '/CN=multi+OU=valued/O=x',
      '/UID=jdoe/serialNumber=12345/CN=with serial',
    ];
    const files = subjects.map((subject, i) => {
      const file = path.join(dir, `s${i}.pem`);
      const made = openssl([
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-nodes',
        '-keyout',
        path.join(dir, `k${i}.pem`),
        '-out',
        file,
        '-days',
        '1',
        '-utf8',
        '-multivalue-rdn',
        '-subj',
        subject,
      ]);
      expect(made.status, made.stderr).toBe(0);
      return file;
    });
    fs.writeFileSync(
      path.join(dir, 'Check.java'),
      [
        'import java.io.FileInputStream;',
        'import java.security.cert.CertificateFactory;',
        'import java.security.cert.X509Certificate;',
        'public class Check {',
        '  public static void main(String[] args) throws Exception {',
        '    CertificateFactory factory = CertificateFactory.getInstance("X.509");',
        '    for (String file : args) {',
        '      try (FileInputStream in = new FileInputStream(file)) {',
        '        X509Certificate cert = (X509Certificate) factory.generateCertificate(in);',
        '        System.out.println("User:" + cert.getSubjectX500Principal().getName());',
        '      }',
        '    }',
        '  }',
        '}',
      ].join('\n'),
    );
    const java = spawnSync(
      'java',
      ['-Dfile.encoding=UTF-8', '-Dstdout.encoding=UTF-8', path.join(dir, 'Check.java'), ...files],
      { encoding: 'utf8' },
    );
    expect(java.status, java.stderr).toBe(0);
    const expected = java.stdout.trim().split('\n');
    expect(expected).toHaveLength(subjects.length);
    const ours: string[] = [];
    for (const file of files) {
      const result = await kfeed(['cert', 'inspect', file, '--json']);
      expect(result.code).toBe(0);
      ours.push(JSON.parse(result.stdout).principal);
    }
    expect(ours).toEqual(expected);
  });
});
