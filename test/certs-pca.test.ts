import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTool, suiteKafkaVersion, tempDir } from './helpers/env.js';
import { runKafkaTool } from './helpers/kafka-tools.js';
import { kcat } from './helpers/kcat.js';
import { startMoto, type Moto } from './helpers/moto.js';
import { createPrivateCa, type TestPrivateCa } from './helpers/private-ca.js';
import { expectFailure, listing } from './helpers/assert.js';
import { BIN, kfeed, kfeedBinary } from './helpers/run.js';

const CLUSTER = 'certs-pca';

let moto: Moto;
let pca: TestPrivateCa;
let work: string;
let cluster: { tls: string[]; ca: string; adminCert: string; adminKey: string };

beforeAll(async () => {
  moto = await startMoto();
  pca = await createPrivateCa(moto.env, { commonName: 'kfeed test root CA' });
  work = tempDir('kfeed-pca-');
  fs.writeFileSync(path.join(work, 'pca-root.pem'), pca.certificatePem);
  // A broker that trusts the Private CA (besides its own local CA) for client certificates.
  const up = await kfeed([
    'local',
    'up',
    '--name',
    CLUSTER,
    '--trust-ca',
    path.join(work, 'pca-root.pem'),
    '--kafka-version',
    suiteKafkaVersion(),
    '--no-profile',
    '--json',
  ]);
  if (up.code !== 0) throw new Error(`local up failed: ${up.stderr}`);
  const status = JSON.parse(up.stdout);
  cluster = {
    tls: status.bootstrap.tls,
    ca: status.files.ca,
    adminCert: status.files.clientCert,
    adminKey: status.files.clientKey,
  };
});

afterAll(async () => {
  await kfeed(['local', 'down', '--name', CLUSTER]);
  await moto?.stop();
});

describe('issuecert against AWS Private CA (moto)', () => {
  it('makecsr --yes + issuecert: the broker accepts the certificate over mTLS, and refuses one from another CA', async () => {
    const dir = path.join(work, 'client');
    const made = await kfeed([
      'makecsr',
      '--yes',
      '--subject',
      'CN=pca client,O=Example Corp,C=US',
      '--out-dir',
      dir,
      '--ca',
      cluster.ca,
    ]);
    expect(made.code).toBe(0);
    const started = Date.now();
    const issued = await kfeed(['issuecert', path.join(dir, 'client_cert.csr'), '--json'], { env: moto.env });
    const elapsed = Date.now() - started;
    expect(issued.code).toBe(0);
    const out = JSON.parse(issued.stdout);
    // moto's Private CA ignores the validity asked for (kfeed's default 300 days) and issues 365: kfeed says so.
    expect(out.validityDiffers).toMatchObject({ requestedDays: 300, issuedDays: 365, endsWithCa: false });
    expect(out.validityDiffers.notAfter).toBe(out.notAfter);
    const requestedEnd = Date.parse(out.validityDiffers.requestedNotAfter);
    expect(requestedEnd).toBeGreaterThanOrEqual(started + 300 * 86_400_000);
    expect(requestedEnd).toBeLessThanOrEqual(started + elapsed + 300 * 86_400_000);
    expect(issued.stderr).toBe(
      `warning: ${pca.arn} issued the certificate until ${out.notAfter} (365 days), ` +
        `not the 300 days asked for (until ${out.validityDiffers.requestedNotAfter})\n`,
    );
    expect(out).toMatchObject({
      ca: pca.arn,
      subject: 'CN=pca client,O=Example Corp,C=US',
      principal: 'User:CN=pca client,O=Example Corp,C=US',
      issuer: 'CN=kfeed test root CA,O=kfeed tests,C=US',
      chainLength: 1,
    });
    expect(out.certificateArn).toMatch(new RegExp(`^${pca.arn}/certificate/`));
    expect(elapsed).toBeLessThan(10_000); // the benchmark holds the 1 s target; this only catches sleeps

    const verified = await kfeed([
      'cert',
      'verify',
      '--cert',
      path.join(dir, 'client_cert.pem'),
      '--key',
      path.join(dir, 'private_key.pem'),
      '--ca',
      path.join(work, 'pca-root.pem'),
    ]);
    expect(verified.code).toBe(0);

    const accepted = await kcat(
      cluster.tls,
      { ca: cluster.ca, cert: path.join(dir, 'client_cert.pem'), key: path.join(dir, 'private_key.pem') },
      ['-L', '-m', '15'],
    );
    expect(accepted.stderr).not.toMatch(/SSL|handshake/i);
    expect(accepted.code).toBe(0);
    expect(accepted.stdout).toMatch(/1 brokers:\s+broker 1 at localhost:\d+/);

    // Same subject, signed by a CA the broker does not trust.
    const other = path.join(work, 'other');
    expect((await kfeed(['ca', 'init', path.join(other, 'ca')])).code).toBe(0);
    expect(
      (await kfeed(['makecsr', '--yes', '--subject', 'CN=pca client,O=Example Corp,C=US', '--out-dir', other])).code,
    ).toBe(0);
    expect(
      (await kfeed(['issuecert', path.join(other, 'client_cert.csr'), '--local-ca', path.join(other, 'ca')])).code,
    ).toBe(0);
    const refused = await kcat(
      cluster.tls,
      { ca: cluster.ca, cert: path.join(other, 'client_cert.pem'), key: path.join(other, 'private_key.pem') },
      ['-L', '-m', '5', '-d', 'security'],
    );
    expect(refused.code).not.toBe(0);
    // The refusal is the broker's own TLS alert: Java's trust manager answers an unknown issuer with
    // certificate_unknown (46). Under TLS 1.3 the client reads it after its Finished, hence "Receive failed".
    expect(refused.stderr).toMatch(
      /ssl:\/\/localhost:\d+\/bootstrap: (Receive failed|SSL handshake failed): .*sslv3 alert certificate unknown: SSL alert number 46/,
    );
    expect(refused.stdout).not.toMatch(/broker 1 at/);
  });

  it("cert import: Apache Kafka's Java console consumer reads a topic with the written client.properties", async () => {
    requireTool('java', 'apt-get install openjdk-17-jdk-headless');
    const dir = path.join(work, 'java');
    const password = { PK_PASSWORD: 'key pass 1' };
    expect(
      (
        await kfeed(
          ['makecsr', '--yes', '--cn', 'java client', '--key-type', 'p256', '--out-dir', dir, '--ca', cluster.ca],
          { env: password },
        )
      ).code,
    ).toBe(0);
    expect(
      (await kfeed(['issuecert', path.join(dir, 'client_cert.csr')], { env: { ...moto.env, ACM_PCA_ARN: pca.arn } }))
        .code,
    ).toBe(0);
    const imported = await kfeed(['cert', 'import', path.join(dir, 'client_cert.pem'), '--json'], {
      env: { ...password, KFEED_KEYSTORE_PASSWORD: 'store\\pass #1' },
    });
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    const files = JSON.parse(imported.stdout);
    expect(files).toMatchObject({ principal: 'User:CN=java client', chainLength: 1, trustedCount: 1 });
    for (const file of [files.keystore, files.truststore, files.properties])
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const properties = fs.readFileSync(files.properties, 'utf8');
    expect(properties).toContain('security.protocol=SSL');
    expect(properties).toContain('ssl.keystore.password=store\\\\pass #1');

    const topic = `java-${Date.now().toString(36)}`;
    const adminFlags = [
      '--brokers',
      cluster.tls.join(','),
      '--ca',
      cluster.ca,
      '--cert',
      cluster.adminCert,
      '--key',
      cluster.adminKey,
    ];
    expect((await kfeed(['create-topic', topic, ...adminFlags])).code).toBe(0);
    const produced = await kcat(
      cluster.tls,
      { ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey },
      ['-P', '-t', topic],
      { stdin: 'tick from kcat\n' },
    );
    expect(produced.code).toBe(0);

    const consumer = await runKafkaTool(
      { cluster: CLUSTER, brokers: cluster.tls, ca: cluster.ca, cert: cluster.adminCert, key: cluster.adminKey },
      'org.apache.kafka.tools.consumer.ConsoleConsumer',
      ['--topic', topic, '--from-beginning', '--max-messages', '1', '--timeout-ms', '60000'],
      { configFlag: '--consumer.config', properties: files.properties, timeoutMs: 90_000 },
    );
    expect(consumer.stdout.trim(), consumer.stderr.slice(-2000)).toBe('tick from kcat');
    expect(consumer.code).toBe(0);
  });

  it('refuses bad input with one line and its exit code, and writes nothing', async () => {
    const dir = path.join(work, 'bad');
    expect((await kfeed(['makecsr', '--yes', '--cn', 'bad', '--out-dir', dir])).code).toBe(0);
    const csr = path.join(dir, 'client_cert.csr');
    const pending = await createPrivateCa(moto.env, { commonName: 'pending CA', activate: false });
    const unknown = pca.arn.replace(/[0-9a-f]{12}$/, '000000000000');
    const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
      [
        ['issuecert', csr, '--ca-arn', 'arn:aws:acm-pca:us-east-1:123:certificate-authority/x'],
        {},
        2,
        /"arn:aws:acm-pca:us-east-1:123:certificate-authority\/x" is not an AWS Private CA ARN/,
      ],
      [['issuecert', csr], { ACM_PCA_ARN: 'not-an-arn' }, 2, /"not-an-arn" is not an AWS Private CA ARN/],
      [['issuecert', csr, '--ca-arn', unknown], {}, 7, /looking up the CA .* failed: .*not found — check the ARN/],
      [
        ['issuecert', csr, '--ca-arn', pending.arn],
        {},
        10,
        /is PENDING_CERTIFICATE, not ACTIVE: it cannot issue certificates — install its CA certificate first/,
      ],
      [['issuecert', csr, '--region', 'eu-west-1'], {}, 7, /no ACTIVE private CA in this account and region/],
      [['issuecert', csr, '--template-arn', 'EndEntity'], {}, 2, /"EndEntity" is not an AWS Private CA template ARN/],
      [['issuecert', csr, '--endpoint-url', 'localhost:1'], {}, 2, /"localhost:1" is not an endpoint URL/],
    ];
    for (const [args, env, code, message] of cases) {
      expectFailure(await kfeed(args, { env: { ...moto.env, ...env } }), code, message);
      expect(listing(dir)).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
    }
    // Several ACTIVE CAs: ask, or (never asking) fail with the list.
    const second = await createPrivateCa(moto.env, { commonName: 'second CA' });
    const several = await kfeed(['issuecert', csr, '--yes'], { env: moto.env });
    expectFailure(several, 2, /2 ACTIVE private CAs, and none chosen: .* — pass --ca-arn or set ACM_PCA_ARN/);
    expect(several.stderr).toContain(pca.arn);
    expect(several.stderr).toContain(second.arn);
    expect(listing(dir)).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
  });

  it('access denied, throttling and an unreachable endpoint are one line each (AWS JSON error wire format)', async () => {
    const dir = path.join(work, 'errors');
    expect((await kfeed(['makecsr', '--yes', '--cn', 'errors', '--out-dir', dir])).code).toBe(0);
    const csr = path.join(dir, 'client_cert.csr');
    // awsJson1_1 errors: HTTP 400 with the error type in the body's __type.
    let reply = {
      type: 'AccessDeniedException',
      message:
        'User: arn:aws:iam::123456789012:user/feed is not authorized to perform: acm-pca:ListCertificateAuthorities',
    };
    let requests = 0;
    const server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        requests += 1;
        res.writeHead(400, { 'content-type': 'application/x-amz-json-1.1', 'x-amzn-requestid': `r-${requests}` });
        res.end(JSON.stringify({ __type: reply.type, message: reply.message }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    try {
      const env = { ...moto.env, AWS_ENDPOINT_URL: endpoint };
      expectFailure(
        await kfeed(['issuecert', csr], { env }),
        6,
        /listing the private CAs was denied by AWS: User: .* is not authorized .* — check the IAM permissions/,
      );
      reply = { type: 'ThrottlingException', message: 'Rate exceeded' };
      requests = 0;
      expectFailure(
        await kfeed(['issuecert', csr], { env }),
        10,
        /listing the private CAs was throttled by AWS \(ThrottlingException\), even after retries — wait a little/,
      );
      expect(requests).toBe(3); // the SDK's retries, then one line
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const closed = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(port));
      });
    });
    expectFailure(
      await kfeed(['issuecert', csr], { env: { ...moto.env, AWS_ENDPOINT_URL: `http://127.0.0.1:${closed}` } }),
      4,
      /cannot reach the AWS endpoint http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/,
    );
    expect(listing(dir)).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
  });

  it('the built binary: no AWS credentials is one line (exit 3), nothing written', async () => {
    expect(fs.existsSync(path.join(path.dirname(BIN), '../dist/cli.js')), 'build first: npm run build').toBe(true);
    const dir = path.join(work, 'nocreds');
    expect((await kfeed(['makecsr', '--yes', '--cn', 'nocreds', '--out-dir', dir])).code).toBe(0);
    const result = await kfeedBinary(['issuecert', path.join(dir, 'client_cert.csr'), '--ca-arn', pca.arn], {
      env: {
        AWS_ENDPOINT_URL: moto.endpoint,
        AWS_REGION: 'us-east-1',
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_CONFIG_FILE: path.join(dir, 'no-config'),
        AWS_SHARED_CREDENTIALS_FILE: path.join(dir, 'no-credentials'),
        AWS_EC2_METADATA_DISABLED: 'true',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
      },
    });
    expectFailure(result, 3, /no AWS credentials found — set AWS_PROFILE/);
    expect(listing(dir)).toEqual(['client_cert.csr', 'private_key.pem', 'truststore.pem']);
  });
});

describe('interactive prompts, answered on a terminal', () => {
  it('makecsr asks for the subject (re-asking a bad country) and the key password twice', () => {
    expect(fs.existsSync(path.join(path.dirname(BIN), '../dist/cli.js')), 'build first: npm run build').toBe(true);
    requireTool('python3', 'apt-get install python3');
    const check = spawnSync('python3', ['-c', 'import pexpect'], { encoding: 'utf8' });
    if (check.status !== 0) throw new Error('python3 pexpect is required by this test: pip install pexpect');
    const dir = tempDir('kfeed-pty-');
    const script = `
import os, sys, pexpect
env = dict(os.environ)
for name in ('CI', 'PK_PASSWORD'):
    env.pop(name, None)
env['TERM'] = 'xterm'
child = pexpect.spawn(sys.argv[1], [sys.argv[2], 'makecsr', '--out-dir', sys.argv[3]], env=env, encoding='utf-8', timeout=30, dimensions=(40, 200))
def answer(prompt, text):
    child.expect(prompt)
    child.sendline(text)
answer('Common name', 'pty client')
answer('Organizational unit', '')
answer('Organization', 'Example Corp')
answer('Locality', '')
answer('State or province', '')
answer('Country', 'USA')
child.expect('two-letter country code')
child.send('\\x15')  # clear the line, as a person would before typing again
child.sendline('us')
answer('Password to encrypt', 'pty secret')
answer('Repeat the password', 'pty secret')
child.expect(pexpect.EOF)
child.close()
print(child.before)
sys.exit(child.exitstatus)
`;
    const run = spawnSync('python3', ['-c', script, process.execPath, BIN, dir], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/subject\s+CN=pty client,O=Example Corp,C=US/);
    expect(run.stdout).not.toContain('pty secret');
    const key = fs.readFileSync(path.join(dir, 'private_key.pem'), 'utf8');
    expect(key).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    const decrypted = spawnSync(
      'openssl',
      ['pkey', '-in', path.join(dir, 'private_key.pem'), '-passin', 'pass:pty secret', '-noout'],
      { encoding: 'utf8' },
    );
    expect(decrypted.status, decrypted.stderr).toBe(0);
  });

  it('issuecert asks which CA when several are ACTIVE, and signs with the one chosen', async () => {
    const dir = tempDir('kfeed-pty-ca-');
    expect((await kfeed(['makecsr', '--yes', '--cn', 'chooser', '--out-dir', dir])).code).toBe(0);
    const chosen = await createPrivateCa(moto.env, { commonName: 'chosen CA' });
    const listed = await kfeed(['issuecert', path.join(dir, 'client_cert.csr'), '--yes'], { env: moto.env });
    expect(listed.stderr).toContain(chosen.arn); // several ACTIVE CAs, this one among them
    const script = `
import os, sys, pexpect
env = dict(os.environ)
env.pop('CI', None)
env.update({'TERM': 'xterm', 'AWS_ENDPOINT_URL': sys.argv[4], 'AWS_REGION': 'us-east-1', 'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing'})
child = pexpect.spawn(sys.argv[1], [sys.argv[2], 'issuecert', sys.argv[3]], env=env, encoding='utf-8', timeout=30, dimensions=(40, 250))
child.expect('Which private CA should sign')
for _ in range(10):
    child.expect('❯ ([^\\r\\n]*)')
    if 'chosen CA' in child.match.group(1):
        break
    child.send('\\x1b[B')  # arrow down, as a person would
child.send('\\r')
child.expect(pexpect.EOF)
child.close()
print(child.before)
sys.exit(child.exitstatus)
`;
    const run = spawnSync(
      'python3',
      ['-c', script, process.execPath, BIN, path.join(dir, 'client_cert.csr'), moto.endpoint],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/issuer\s+CN=chosen CA,O=kfeed tests,C=US/);
    const inspected = JSON.parse(
      (await kfeed(['cert', 'inspect', path.join(dir, 'client_cert.pem'), '--json'])).stdout,
    );
    expect(inspected.chain[0].subject).toBe('CN=chosen CA,O=kfeed tests,C=US');
  });
});
