import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { LEGACY_FILES } from '../../config/connection.js';
import { readUserFile } from '../../config/files.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { colorsFor } from '../../render/color.js';

export function register(program: Command, ctx: Context): void {
  const cert = program.command('cert').description('inspect and verify certificates');
  cert
    .command('inspect')
    .description('show subject, issuer, SANs, validity, key, fingerprint and the Kafka principal of a certificate')
    .argument('<file>', 'PEM certificate (a chain file shows every certificate)')
    .action((file: string) => certInspectRun(ctx, file));
  cert
    .command('verify')
    .description('check that a key matches its certificate, the chain is valid and nothing has expired')
    .option('--cert <file>', 'the certificate with its chain (PEM)', LEGACY_FILES.cert)
    .option('--key <file>', 'its private key (PEM; password from PK_PASSWORD or a prompt)', LEGACY_FILES.key)
    .option('--ca <file>', 'trusted CA certificates (default: truststore.pem when present, else the public root CAs)')
    .action((options: CertVerifyOptions) => certVerifyRun(ctx, options));
}

export async function certInspectRun(ctx: Context, file: string): Promise<void> {
  const { inspectCertificateFile } = await import('../../certs/inspect.js');
  const certs = inspectCertificateFile(readUserFile(path.resolve(ctx.cwd, file), 'certificate'), file);
  if (ctx.json) return ctx.printJson(certs.length === 1 ? certs[0] : { certificate: certs[0], chain: certs.slice(1) });
  const [leaf, ...chain] = certs;
  const color = colorsFor(ctx);
  const validity = leaf.expired ? color.red(`EXPIRED ${-leaf.daysLeft} days ago`) : leaf.notYetValid ? color.yellow('not yet valid') : `${leaf.daysLeft} days left`;
  ctx.print(
    [
      `subject       ${leaf.subject}`,
      `issuer        ${leaf.issuer}${leaf.selfSigned ? ' (self-signed)' : ''}`,
      `SANs          ${leaf.sans.length ? leaf.sans.join(', ') : '(none)'}`,
      `valid         ${leaf.notBefore} to ${leaf.notAfter} (${validity})`,
      `key           ${leaf.key.label}`,
      `serial        ${leaf.serialNumber}`,
      `SHA-256       ${leaf.fingerprintSha256}`,
      `usage         ${leaf.isCa ? 'CA' : 'end entity'}${leaf.extendedKeyUsage.length ? `, ${leaf.extendedKeyUsage.join(', ')}` : ''}`,
      `principal     ${leaf.principal}`,
      ...chain.map((c, i) => `chain ${i + 1}       ${c.subject} (until ${c.notAfter.slice(0, 10)})`),
    ].join('\n'),
  );
}

export interface CertVerifyOptions {
  cert: string;
  key: string;
  ca?: string;
}

export async function certVerifyRun(ctx: Context, options: CertVerifyOptions): Promise<void> {
  const { verifyCertificate } = await import('../../certs/inspect.js');
  const { isEncryptedPem, loadPrivateKey } = await import('../../certs/keys.js');
  const certPath = path.resolve(ctx.cwd, options.cert);
  const keyPath = path.resolve(ctx.cwd, options.key);
  const certText = readUserFile(certPath, 'certificate');
  const keyText = readUserFile(keyPath, 'key');
  const legacyTrust = path.resolve(ctx.cwd, LEGACY_FILES.ca);
  const caPath = options.ca ? path.resolve(ctx.cwd, options.ca) : fs.existsSync(legacyTrust) ? legacyTrust : undefined;
  const caText = caPath ? readUserFile(caPath, 'CA file') : undefined;
  const password = isEncryptedPem(keyText) ? ctx.env.PK_PASSWORD || (await ctx.promptPassword(`Password of ${options.key}`)) : undefined;
  const key = loadPrivateKey(keyText, options.key, password);
  const result = verifyCertificate({ certText, certFile: options.cert, key, keyFile: options.key, caText, caFile: caPath ? options.ca ?? LEGACY_FILES.ca : undefined });
  if (ctx.json) ctx.printJson(result);
  else {
    const color = colorsFor(ctx);
    for (const check of result.checks) ctx.print(`${check.ok ? color.green('ok  ') : color.red('FAIL')}  ${check.name.padEnd(9)} ${check.detail}`);
    ctx.print(result.ok ? `verdict: ${options.cert} is good for mTLS as ${result.principal}` : `verdict: ${options.cert} will not work for mTLS`);
  }
  if (!result.ok) {
    const failed = result.checks.filter((c) => !c.ok);
    throw new KfeedError('verification', `verification failed: ${failed.map((c) => c.detail).join('; ')}`, { hint: 'fix the files named above' });
  }
}
