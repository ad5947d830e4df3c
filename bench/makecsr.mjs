#!/usr/bin/env node
// Benchmark (not a test): `kfeed makecsr` RSA-2048 against `openssl req -newkey rsa:2048 -nodes`
// in the same run, and `kfeed issuecert` wall time against moto's AWS Private CA.
// Build first (npm run build). Usage: node bench/makecsr.mjs [runs] [--save]
// Writes only into a temporary folder, and into bench/results/ with --save.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import {
  ACMPCAClient,
  CreateCertificateAuthorityCommand,
  GetCertificateAuthorityCsrCommand,
  GetCertificateCommand,
  ImportCertificateAuthorityCertificateCommand,
  IssueCertificateCommand,
  waitUntilCertificateAuthorityCSRCreated,
  waitUntilCertificateIssued,
} from '@aws-sdk/client-acm-pca';

const root = path.resolve(import.meta.dirname, '..');
const bin = path.join(root, 'bin/kfeed.js');
const runs = Number(process.argv.find((a) => /^\d+$/.test(a)) ?? 15);
const save = process.argv.includes('--save');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kfeed-bench-'));
if (!fs.existsSync(path.join(root, 'dist/cli.js'))) throw new Error('build first: npm run build');

function timed(command, args, env = process.env) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { encoding: 'utf8', env });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr}`);
  return ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const env = { ...process.env };
delete env.PK_PASSWORD;

// Alternate the two so that machine load hits both alike.
const kfeedTimes = [];
const opensslTimes = [];
for (let i = 0; i < runs; i++) {
  const dir = path.join(work, `run-${i}`);
  fs.mkdirSync(dir);
  kfeedTimes.push(timed(process.execPath, [bin, 'makecsr', '--yes', '--cn', 'bench client', '--o', 'Example Corp', '--c', 'US', '--out-dir', path.join(dir, 'kfeed')], env));
  opensslTimes.push(timed('openssl', ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'req.csr'), '-subj', '/C=US/O=Example Corp/CN=bench client']));
}

// issuecert against moto: one CA made ACTIVE the way ACM does, then timed issuecert runs.
async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}
const port = await freePort();
const moto = spawn('python3', ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
const endpoint = `http://127.0.0.1:${port}`;
const issueTimes = [];
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
    if (i > 300) throw new Error('moto did not start (pip install "moto[server]")');
    await new Promise((r) => setTimeout(r, 100));
  }
  const awsEnv = { ...env, AWS_ENDPOINT_URL: endpoint, AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench' };
  const pca = new ACMPCAClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } });
  const { CertificateAuthorityArn: arn } = await pca.send(
    new CreateCertificateAuthorityCommand({
      CertificateAuthorityType: 'ROOT',
      CertificateAuthorityConfiguration: { KeyAlgorithm: 'RSA_2048', SigningAlgorithm: 'SHA256WITHRSA', Subject: { CommonName: 'bench root' } },
    }),
  );
  await waitUntilCertificateAuthorityCSRCreated({ client: pca, maxWaitTime: 30, minDelay: 1 }, { CertificateAuthorityArn: arn });
  const { Csr } = await pca.send(new GetCertificateAuthorityCsrCommand({ CertificateAuthorityArn: arn }));
  const rootCert = await pca.send(
    new IssueCertificateCommand({ CertificateAuthorityArn: arn, Csr: Buffer.from(Csr), SigningAlgorithm: 'SHA256WITHRSA', TemplateArn: 'arn:aws:acm-pca:::template/RootCACertificate/V1', Validity: { Type: 'YEARS', Value: 1 } }),
  );
  await waitUntilCertificateIssued({ client: pca, maxWaitTime: 30, minDelay: 1 }, { CertificateAuthorityArn: arn, CertificateArn: rootCert.CertificateArn });
  const { Certificate } = await pca.send(new GetCertificateCommand({ CertificateAuthorityArn: arn, CertificateArn: rootCert.CertificateArn }));
  await pca.send(new ImportCertificateAuthorityCertificateCommand({ CertificateAuthorityArn: arn, Certificate: Buffer.from(Certificate) }));
  pca.destroy();
  for (let i = 0; i < runs; i++) {
    const dir = path.join(work, `run-${i}`, 'kfeed');
    issueTimes.push(timed(process.execPath, [bin, 'issuecert', path.join(dir, 'client_cert.csr'), '--ca-arn', arn], awsEnv));
  }
} finally {
  moto.kill();
}

const rows = [
  ['kfeed makecsr (RSA 2048, whole process)', median(kfeedTimes), Math.min(...kfeedTimes), Math.max(...kfeedTimes)],
  ['openssl req -newkey rsa:2048 -nodes', median(opensslTimes), Math.min(...opensslTimes), Math.max(...opensslTimes)],
  ['kfeed issuecert vs moto (whole process)', median(issueTimes), Math.min(...issueTimes), Math.max(...issueTimes)],
];
const ratio = median(kfeedTimes) / median(opensslTimes);
const lines = [
  `kfeed benchmark, ${runs} runs each, ${new Date().toISOString()}, Node ${process.version}, ${os.cpus().length} CPUs`,
  `${'what'.padEnd(42)} ${'median ms'.padStart(10)} ${'min'.padStart(8)} ${'max'.padStart(8)}`,
  ...rows.map(([name, med, min, max]) => `${name.padEnd(42)} ${med.toFixed(0).padStart(10)} ${min.toFixed(0).padStart(8)} ${max.toFixed(0).padStart(8)}`),
  `makecsr / openssl (median): ${ratio.toFixed(2)}x (target <= 1.5x)   issuecert median: ${median(issueTimes).toFixed(0)} ms (target < 1000 ms)`,
];
console.log(lines.join('\n'));
fs.rmSync(work, { recursive: true, force: true });
if (save) {
  const dir = path.join(root, 'bench/results');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `makecsr-${new Date().toISOString().replace(/[:.]/g, '-')}.txt`), lines.join('\n') + '\n');
}
