import fs from 'node:fs';
import path from 'node:path';
import { LEGACY_FILES } from '../config/connection.js';
import { readUserFile, writeFileAtomic } from '../config/files.js';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import type { CertificateAuthority } from '../certs/issuing.js';
import type { ValidityMismatch } from '../certs/validity.js';
import { defineCommand } from './command.js';
import { authorityFrom, withCaOptions, type CaFlags } from './options.js';

export interface IssueCertOptions extends CaFlags {
  csr: string;
  out?: string;
  force?: boolean;
  yes?: boolean;
}

export interface IssueCertResult {
  file: string;
  /** The local CA folder or the Private CA ARN. */
  ca: string;
  certificateArn?: string;
  subject: string;
  principal: string;
  issuer: string;
  notAfter: string;
  daysLeft: number;
  serialNumber: string;
  /** CA certificates after the client certificate in the file. */
  chainLength: number;
  /** Set when a local CA ends before the validity asked for: the certificate ends with the CA. */
  clampedToCa?: { requestedNotAfter: string; notAfter: string };
  /** Set when a Private CA issued another validity than the one asked for (by more than a day). */
  validityDiffers?: ValidityMismatch;
}

export default defineCommand<IssueCertOptions, IssueCertResult>({
  name: 'issuecert',
  summary: 'have a CSR signed by AWS Private CA (or a local CA) and write certificate + chain',
  args: [{ key: 'csr', syntax: '<csr>', description: 'the certificate signing request (PEM), e.g. client_cert.csr' }],
  flags: (command) =>
    withCaOptions(command)
      .option('--out <file>', 'where to write certificate + chain (default: client_cert.pem beside the CSR)')
      .option('--force', 'replace an existing certificate file')
      .option('-y, --yes', 'never ask (several ACTIVE CAs and no --ca-arn is then an error)'),
  validate: (options) => {
    if (options.caArn && options.localCa)
      throw new KfeedError('usage', '--ca-arn and --local-ca name two different CAs', { hint: 'pass one of them' });
  },
  run: issueCertRun,
  render: (r) =>
    [
      `certificate   ${r.file}  (certificate + ${r.chainLength} CA certificate${r.chainLength === 1 ? '' : 's'})`,
      ...(r.certificateArn ? [`ARN           ${r.certificateArn}`] : []),
      `subject       ${r.subject}`,
      `issuer        ${r.issuer}`,
      `valid until   ${r.notAfter} (${r.daysLeft} days)`,
      `principal     ${r.principal}  (grant it with: kfeed acl grant --principal '${r.principal}' ...)`,
    ].join('\n'),
});

async function issueCertRun(ctx: Context, options: IssueCertOptions): Promise<IssueCertResult> {
  const { parseCsr } = await import('../certs/csr.js');
  const csrPath = path.resolve(ctx.cwd, options.csr);
  const csr = await parseCsr(readUserFile(csrPath, 'CSR'), options.csr);
  const out = path.resolve(ctx.cwd, options.out ?? path.join(path.dirname(csrPath), LEGACY_FILES.cert));
  if (!options.force && fs.existsSync(out)) {
    throw new KfeedError('conflict', `${out} already exists`, {
      hint: 'move it away, pass --out FILE, or --force to replace it',
    });
  }
  const authority = await chooseAuthority(ctx, options);
  const { issueFromCsr } = await import('../certs/issuing.js');
  const progress = authority.kind === 'pca' ? ctx.progress(`issuing a certificate with ${authority.arn}`) : undefined;
  let issued;
  try {
    issued = await issueFromCsr(csr, authority, {
      validityDays: options.validityDays,
      signal: ctx.abort.signal,
      onProgress: (t) => progress?.update(t),
    });
    progress?.succeed(`certificate issued by ${issued.ca}`);
  } catch (error) {
    progress?.fail(`no certificate issued for ${path.basename(csrPath)}`);
    throw error;
  }
  if (issued.clampedToCa) {
    ctx.warn(
      `the CA in ${issued.ca} ends on ${issued.clampedToCa.notAfter}: ` +
        `the certificate ends then too, not on ${issued.clampedToCa.requestedNotAfter}`,
    );
  }
  if (issued.validityDiffers) {
    const { validityMismatchText } = await import('../certs/validity.js');
    ctx.warn(validityMismatchText(issued.validityDiffers, issued.ca));
  }
  writeFileAtomic(out, issued.result.pem, { exclusive: !options.force });
  const { info } = issued.result;
  return {
    file: out,
    ca: issued.ca,
    ...(issued.certificateArn ? { certificateArn: issued.certificateArn } : {}),
    subject: info.subject,
    principal: info.principal,
    issuer: info.issuer,
    notAfter: info.notAfter,
    daysLeft: info.daysLeft,
    serialNumber: info.serialNumber,
    chainLength: issued.result.chainLength,
    ...(issued.clampedToCa ? { clampedToCa: issued.clampedToCa } : {}),
    ...(issued.validityDiffers ? { validityDiffers: issued.validityDiffers } : {}),
  };
}

/** --ca-arn, ACM_PCA_ARN or --local-ca; else the only ACTIVE Private CA, or one the user picks. */
async function chooseAuthority(ctx: Context, options: IssueCertOptions): Promise<CertificateAuthority> {
  if (options.localCa || options.caArn || ctx.env.ACM_PCA_ARN) return authorityFrom(ctx, options);
  const { listPrivateCas } = await import('../certs/issuing.js');
  const cas = await listPrivateCas({ endpointUrl: options.endpointUrl, region: options.region, env: ctx.env });
  const active = cas.filter((ca) => ca.status === 'ACTIVE');
  let arn: string;
  if (active.length === 1) arn = active[0].arn;
  else if (active.length === 0) {
    throw new KfeedError(
      'notFound',
      `no ACTIVE private CA in this account and region${cas.length ? ` (${cas.length} in other states)` : ''}`,
      {
        hint: 'pass --ca-arn, set ACM_PCA_ARN, check --region, or use --local-ca DIR',
      },
    );
  } else if (options.yes || !ctx.canPrompt()) {
    throw new KfeedError(
      'usage',
      `${active.length} ACTIVE private CAs, and none chosen: ${active.map((ca) => ca.arn).join(', ')}`,
      { hint: 'pass --ca-arn or set ACM_PCA_ARN' },
    );
  } else {
    arn = await ctx.promptSelect(
      'Which private CA should sign?',
      active.map((ca) => ({ name: `${ca.subject ?? '(no CN)'}  ${ca.arn}`, value: ca.arn })),
    );
  }
  return authorityFrom(ctx, { ...options, caArn: arn! });
}
