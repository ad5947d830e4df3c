import fs from 'node:fs';
import path from 'node:path';
import type { VerifyResult } from '../../certs/inspect.js';
import { LEGACY_FILES } from '../../config/connection.js';
import { readUserFile } from '../../config/files.js';
import { ExitCode } from '../../errors.js';
import { colors } from '../../render/color.js';
import { defineCommand } from '../command.js';

export interface CertVerifyOptions {
  cert: string;
  key: string;
  ca?: string;
}

export type CertVerifyResult = VerifyResult & { certFile: string };

export default defineCommand<CertVerifyOptions, CertVerifyResult>({
  name: 'verify',
  summary: 'check that a key matches its certificate, the chain is valid and nothing has expired',
  flags: (command) =>
    command
      .option('--cert <file>', 'the certificate with its chain (PEM)', LEGACY_FILES.cert)
      .option('--key <file>', 'its private key (PEM; password from PK_PASSWORD or a prompt)', LEGACY_FILES.key)
      .option(
        '--ca <file>',
        'trusted CA certificates (default: truststore.pem when present, else the public root CAs)',
      ),
  run: async (ctx, options) => {
    const { verifyCertificate } = await import('../../certs/inspect.js');
    const { isEncryptedPem, loadPrivateKey } = await import('../../certs/keys.js');
    const certText = readUserFile(path.resolve(ctx.cwd, options.cert), 'certificate');
    const keyText = readUserFile(path.resolve(ctx.cwd, options.key), 'key');
    const legacyTrust = path.resolve(ctx.cwd, LEGACY_FILES.ca);
    const besideTrust = fs.existsSync(legacyTrust) ? legacyTrust : undefined;
    const caPath = options.ca ? path.resolve(ctx.cwd, options.ca) : besideTrust;
    const caText = caPath ? readUserFile(caPath, 'CA file') : undefined;
    const password = isEncryptedPem(keyText)
      ? ctx.env.PK_PASSWORD || (await ctx.promptPassword(`Password of ${options.key}`))
      : undefined;
    const key = loadPrivateKey(keyText, options.key, password);
    const caFile = caPath ? (options.ca ?? LEGACY_FILES.ca) : undefined;
    const result = verifyCertificate({ certText, certFile: options.cert, key, keyFile: options.key, caText, caFile });
    return { certFile: options.cert, ...result };
  },
  render: (result, view) => {
    const color = colors(view.colorful);
    return [
      ...result.checks.map((c) => `${c.ok ? color.green('ok  ') : color.red('FAIL')}  ${c.name.padEnd(9)} ${c.detail}`),
      result.ok
        ? `verdict: ${result.certFile} is good for mTLS as ${result.principal}`
        : `verdict: ${result.certFile} will not work for mTLS`,
    ].join('\n');
  },
  exitCode: (result) => (result.ok ? ExitCode.ok : ExitCode.verification),
  failureLine: (result) => verifyFailureLine(result),
});

/** What to do about a failed check, by its name. */
const FIX: Record<string, string> = {
  key: 'pass the key the CSR was made with (--key)',
  chain: 'pass the CA that signed it (--ca), or a certificate file that carries its chain',
  validity: 'issue a new certificate (kfeed issuecert, or kfeed subscriber renew)',
  usage: 'issue it from a template or CA that allows TLS client authentication',
};

/** The stderr line of a failed verify: the first failed check, and how many more there are. */
export function verifyFailureLine(result: CertVerifyResult): string | undefined {
  const failed = result.checks.filter((c) => !c.ok);
  if (!failed.length) return undefined;
  const [first] = failed;
  const more = failed.length > 1 ? ` (${failed.length - 1} more check(s) failed)` : '';
  const hint = FIX[first.name];
  return `${result.certFile} will not work for mTLS: ${first.name}: ${first.detail}${more}${hint ? ` — ${hint}` : ''}`;
}
