import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from './helpers/env.js';
import { expectFailure, listing } from './helpers/assert.js';
import { kfeed } from './helpers/run.js';

/**
 * issuecert's wait for AWS Private CA to issue, against a local server speaking ACM PCA's
 * awsJson1_1 wire format (X-Amz-Target: ACMPrivateCA.<Operation>; errors as HTTP 400 with
 * the type in `__type`). moto issues at once, so it cannot show a wait; this server answers
 * GetCertificate with RequestInProgressException until the test lets it issue.
 */
const CA_ARN = `arn:aws:acm-pca:us-east-1:123456789012:certificate-authority/${crypto.randomUUID()}`;

interface FakePca {
  env: Record<string, string>;
  /** GetCertificate answers "in progress" this many more times, then issues (Infinity: never). */
  pendingPolls: number;
  issued: { certificate: string; chain: string };
  calls: string[];
  close(): Promise<void>;
}

async function startFakePca(): Promise<FakePca> {
  const fake: Omit<FakePca, 'env' | 'close'> = {
    pendingPolls: Infinity,
    issued: { certificate: '', chain: '' },
    calls: [],
  };
  const server = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const operation = String(request.headers['x-amz-target'] ?? '').replace(/^ACMPrivateCA\./, '');
      fake.calls.push(operation);
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, {
          'content-type': 'application/x-amz-json-1.1',
          'x-amzn-requestid': crypto.randomUUID(),
        });
        response.end(JSON.stringify(body));
      };
      if (operation === 'DescribeCertificateAuthority') {
        return reply(200, {
          CertificateAuthority: {
            Arn: CA_ARN,
            Status: 'ACTIVE',
            Type: 'ROOT',
            CertificateAuthorityConfiguration: {
              KeyAlgorithm: 'RSA_2048',
              SigningAlgorithm: 'SHA256WITHRSA',
              Subject: { CommonName: 'fake pca' },
            },
          },
        });
      }
      if (operation === 'IssueCertificate')
        return reply(200, { CertificateArn: `${CA_ARN}/certificate/${crypto.randomBytes(16).toString('hex')}` });
      if (operation === 'GetCertificate') {
        if (fake.pendingPolls > 0) {
          fake.pendingPolls -= 1;
          return reply(400, { __type: 'RequestInProgressException', message: 'The request is still in progress.' });
        }
        return reply(200, { Certificate: fake.issued.certificate, CertificateChain: fake.issued.chain });
      }
      return reply(400, { __type: 'InvalidRequestException', message: `no ${operation} in this test server` });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return Object.assign(fake, {
    env: {
      AWS_ENDPOINT_URL: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'testing',
      AWS_SECRET_ACCESS_KEY: 'testing',
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

describe('issuecert waits for AWS Private CA to issue', () => {
  let pca: FakePca;
  let work: string;
  let csr: string;
  beforeAll(async () => {
    pca = await startFakePca();
    work = tempDir('kfeed-issue-wait-');
    expect((await kfeed(['makecsr', '--yes', '--cn', 'waiter', '--out-dir', 'client'], { cwd: work })).code).toBe(0);
    csr = path.join(work, 'client', 'client_cert.csr');
    // What the fake CA hands out once issued: the CSR signed by a local CA.
    expect((await kfeed(['ca', 'init', 'ca'], { cwd: work })).code).toBe(0);
    expect((await kfeed(['issuecert', csr, '--local-ca', 'ca', '--out', 'signed.pem'], { cwd: work })).code).toBe(0);
    const pems = fs
      .readFileSync(path.join(work, 'signed.pem'), 'utf8')
      .match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----\n/g)!;
    expect(pems).toHaveLength(2);
    pca.issued = { certificate: pems[0], chain: pems[1] };
  });
  afterAll(async () => {
    await pca?.close();
  });

  it('polls GetCertificate until AWS has issued, then writes certificate + chain', async () => {
    pca.pendingPolls = 2;
    pca.calls.length = 0;
    const result = await kfeed(['issuecert', csr, '--ca-arn', CA_ARN, '--out', 'polled.pem', '--json'], {
      cwd: work,
      env: pca.env,
    });
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(pca.calls.filter((c) => c === 'GetCertificate')).toHaveLength(3);
    expect(fs.readFileSync(path.join(work, 'polled.pem'), 'utf8')).toBe(pca.issued.certificate + pca.issued.chain);
  });

  it('Ctrl-C during the wait exits 130 at once, says the request stands, and writes nothing', async () => {
    pca.pendingPolls = Infinity;
    pca.calls.length = 0;
    const started = Date.now();
    const result = await kfeed(['issuecert', csr, '--ca-arn', CA_ARN, '--out', 'stopped.pem', '--wait', '120'], {
      cwd: work,
      env: pca.env,
      abortAfterMs: 2500,
    });
    const elapsed = Date.now() - started;
    expect(result.code).toBe(130);
    expect(elapsed).toBeLessThan(6000);
    expect(pca.calls.filter((c) => c === 'GetCertificate').length).toBeGreaterThanOrEqual(2); // it was polling
    expectFailure(
      result,
      130,
      /^kfeed: stopped waiting for AWS to issue arn:aws:acm-pca:.*\/certificate\/\w+ — run the same command again to fetch it/,
    );
    expect(listing(work)).not.toContain('stopped.pem');
  });

  it('gives up after --wait seconds with one line (exit 10), having polled, and writes nothing', async () => {
    pca.pendingPolls = Infinity;
    pca.calls.length = 0;
    const started = Date.now();
    const result = await kfeed(['issuecert', csr, '--ca-arn', CA_ARN, '--out', 'late.pem', '--wait', '3'], {
      cwd: work,
      env: pca.env,
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(3000);
    expectFailure(result, 10, /AWS did not issue arn:aws:acm-pca:.* within 3 s — run again with a larger --wait/);
    expect(pca.calls.filter((c) => c === 'GetCertificate').length).toBeGreaterThanOrEqual(3);
    expect(listing(work)).not.toContain('late.pem');
  });
});
