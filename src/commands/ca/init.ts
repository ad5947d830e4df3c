import path from 'node:path';
import { defineCommand } from '../command.js';
import { integer } from '../options.js';

export interface CaInitOptions {
  dir: string;
  cn: string;
  o?: string;
  days: number;
}

export interface CaInitResult {
  dir: string;
  files: { certificate: string; key: string };
  subject: string;
  notAfter: string;
  fingerprintSha256: string;
}

export default defineCommand<CaInitOptions, CaInitResult>({
  name: 'init',
  summary: 'make a new CA (ca.pem, and ca-key.pem with mode 0600) in a folder, for `kfeed issuecert --local-ca DIR`',
  args: [{ key: 'dir', syntax: '<dir>', description: 'folder for the CA' }],
  flags: (command) =>
    command
      .option('--cn <name>', 'common name of the CA', 'kfeed development CA')
      .option('--o <org>', 'organization of the CA')
      .option(
        '--days <days>',
        'validity of the CA certificate (it signs nothing that outlives it)',
        integer('--days', 1, 36500),
        3650,
      ),
  run: async (ctx, options) => {
    const { createLocalCa, CA_CERT_FILE, CA_KEY_FILE } = await import('../../certs/local-ca.js');
    const { checkSubject } = await import('../../certs/subject.js');
    const { certificateInfo } = await import('../../certs/inspect.js');
    checkSubject({ CN: options.cn, O: options.o });
    const dir = path.resolve(ctx.cwd, options.dir);
    const ca = await createLocalCa(dir, { commonName: options.cn, organization: options.o, days: options.days });
    const info = certificateInfo(ca.certPem, CA_CERT_FILE);
    const files = { certificate: path.join(dir, CA_CERT_FILE), key: path.join(dir, CA_KEY_FILE) };
    return { dir, files, subject: info.subject, notAfter: info.notAfter, fingerprintSha256: info.fingerprintSha256 };
  },
  render: (result) =>
    [
      `CA            ${result.subject} (until ${result.notAfter.slice(0, 10)})`,
      `certificate   ${result.files.certificate}  (give it to brokers and clients as --ca / truststore)`,
      `key           ${result.files.key}  (mode 0600; keep it private)`,
      `next          kfeed issuecert client_cert.csr --local-ca ${result.dir}`,
    ].join('\n'),
});
