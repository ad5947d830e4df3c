import path from 'node:path';
import type { Command } from 'commander';
import type { Context } from '../../context.js';
import { integer } from '../options.js';

export interface CaInitOptions {
  cn: string;
  o?: string;
  days: number;
}

export function register(program: Command, ctx: Context): void {
  const ca = program.command('ca').description('a local certificate authority for development (no AWS needed)');
  ca.command('init')
    .description('make a new CA (ca.pem, and ca-key.pem with mode 0600) in a folder, for `kfeed issuecert --local-ca DIR`')
    .argument('<dir>', 'folder for the CA')
    .option('--cn <name>', 'common name of the CA', 'kfeed development CA')
    .option('--o <org>', 'organization of the CA')
    .option('--days <days>', 'validity of the CA certificate', integer('--days', 1, 36500), 3650)
    .action((dir: string, options: CaInitOptions) => caInitRun(ctx, dir, options));
}

export async function caInitRun(ctx: Context, dir: string, options: CaInitOptions): Promise<void> {
  const { createLocalCa, CA_CERT_FILE, CA_KEY_FILE } = await import('../../certs/local-ca.js');
  const { checkSubject } = await import('../../certs/subject.js');
  checkSubject({ CN: options.cn, O: options.o });
  const full = path.resolve(ctx.cwd, dir);
  const ca = createLocalCa(full, { commonName: options.cn, organization: options.o, days: options.days });
  const { certificateInfo } = await import('../../certs/inspect.js');
  const info = certificateInfo(ca.certPem, CA_CERT_FILE);
  const files = { certificate: path.join(full, CA_CERT_FILE), key: path.join(full, CA_KEY_FILE) };
  if (ctx.json) return ctx.printJson({ dir: full, files, subject: info.subject, notAfter: info.notAfter, fingerprintSha256: info.fingerprintSha256 });
  ctx.print(
    [
      `CA            ${info.subject} (until ${info.notAfter.slice(0, 10)})`,
      `certificate   ${files.certificate}  (give it to brokers and clients as --ca / truststore)`,
      `key           ${files.key}  (mode 0600; keep it private)`,
      `next          kfeed issuecert client_cert.csr --local-ca ${dir}`,
    ].join('\n'),
  );
}
