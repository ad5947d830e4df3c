import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { LEGACY_FILES } from '../config/connection.js';
import { readUserFile, writeFileAtomic } from '../config/files.js';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import { AWS_OPTION_HELP } from '../aws/config.js';
import type { IssuedCertificate } from '../certs/issue.js';
import type { ParsedCsr } from '../certs/csr.js';
import { integer } from './options.js';

export interface IssueCertOptions {
  caArn?: string;
  localCa?: string;
  validityDays: number;
  templateArn?: string;
  out?: string;
  wait: number;
  endpointUrl?: string;
  region?: string;
  force?: boolean;
  yes?: boolean;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('issuecert')
    .description('have a CSR signed by AWS Private CA (or a local CA) and write certificate + chain')
    .argument('<csr>', 'the certificate signing request (PEM), e.g. client_cert.csr')
    .option('--ca-arn <arn>', 'AWS Private CA to sign with (env ACM_PCA_ARN; default: the only ACTIVE CA)')
    .option('--local-ca <dir>', 'sign with the CA in this folder instead (ca.pem + ca-key.pem; see `kfeed ca init`)')
    .option('--validity-days <days>', 'validity of the certificate', integer('--validity-days', 1, 36500), 300)
    .option('--template-arn <arn>', 'AWS Private CA certificate template (default: the end-entity template)')
    .option('--out <file>', 'where to write certificate + chain (default: client_cert.pem beside the CSR)')
    .option('--wait <seconds>', 'how long to wait for AWS to issue', integer('--wait', 1, 600), 60)
    .option('--endpoint-url <url>', AWS_OPTION_HELP.endpointUrl)
    .option('--region <region>', AWS_OPTION_HELP.region)
    .option('--force', 'replace an existing certificate file')
    .option('-y, --yes', 'never ask (several ACTIVE CAs and no --ca-arn is then an error)')
    .action((csr: string, options: IssueCertOptions) => issueCertRun(ctx, csr, options));
}

export async function issueCertRun(ctx: Context, csrFile: string, options: IssueCertOptions): Promise<void> {
  if (options.caArn && options.localCa) throw new KfeedError('usage', '--ca-arn and --local-ca name two different CAs', { hint: 'pass one of them' });
  const { parseCsr } = await import('../certs/csr.js');
  const csrPath = path.resolve(ctx.cwd, csrFile);
  const csr = await parseCsr(readUserFile(csrPath, 'CSR'), csrFile);
  const out = path.resolve(ctx.cwd, options.out ?? path.join(path.dirname(csrPath), LEGACY_FILES.cert));
  if (!options.force && fs.existsSync(out)) {
    throw new KfeedError('conflict', `${out} already exists`, { hint: 'move it away, pass --out FILE, or --force to replace it' });
  }

  const issued = options.localCa ? await issueWithLocal(ctx, csr, options) : await issueWithPrivateCa(ctx, csr, csrPath, options);
  writeFileAtomic(out, issued.result.pem, { exclusive: !options.force });

  const { info } = issued.result;
  if (ctx.json) {
    return ctx.printJson({ file: out, ca: issued.ca, certificateArn: issued.certificateArn, subject: info.subject, principal: info.principal, issuer: info.issuer, notAfter: info.notAfter, serialNumber: info.serialNumber, chainLength: issued.result.chainLength });
  }
  ctx.print(
    [
      `certificate   ${out}  (certificate + ${issued.result.chainLength} CA certificate${issued.result.chainLength === 1 ? '' : 's'})`,
      ...(issued.certificateArn ? [`ARN           ${issued.certificateArn}`] : []),
      `subject       ${info.subject}`,
      `issuer        ${info.issuer}`,
      `valid until   ${info.notAfter} (${info.daysLeft} days)`,
      `principal     ${info.principal}  (grant it with: kfeed acl grant --principal '${info.principal}' ...)`,
    ].join('\n'),
  );
}

interface Issued {
  result: IssuedCertificate;
  ca: string;
  certificateArn?: string;
}

async function issueWithLocal(ctx: Context, csr: ParsedCsr, options: IssueCertOptions): Promise<Issued> {
  const { loadLocalCa, signCsrWithLocalCa } = await import('../certs/local-ca.js');
  const { checkIssuedCertificate } = await import('../certs/issue.js');
  const dir = path.resolve(ctx.cwd, options.localCa!);
  const ca = loadLocalCa(dir);
  const signed = await signCsrWithLocalCa(ca, csr, { days: options.validityDays });
  return { result: checkIssuedCertificate(csr, signed.certificatePem, signed.chainPem, `the local CA in ${dir}`), ca: dir };
}

async function issueWithPrivateCa(ctx: Context, csr: ParsedCsr, csrPath: string, options: IssueCertOptions): Promise<Issued> {
  const { PrivateCaService, checkCaArn, checkTemplateArn, signingAlgorithmFor } = await import('../aws/pca.js');
  const { checkIssuedCertificate } = await import('../certs/issue.js');
  const given = options.caArn ?? (ctx.env.ACM_PCA_ARN || undefined);
  if (given) checkCaArn(given);
  if (options.templateArn) checkTemplateArn(options.templateArn);
  const pca = await PrivateCaService.create({ endpointUrl: options.endpointUrl, region: options.region, env: ctx.env });
  let progress;
  try {
    // Choose before the spinner starts: choosing may ask a question.
    const caArn = given ?? (await chooseCa(ctx, await pca.listCas(), options));
    progress = ctx.progress(`checking the private CA ${caArn}`);
    const ca = await pca.requireActive(caArn);
    progress.update(`issuing a certificate for ${csr.subject} with ${caArn}`);
    const certificateArn = await pca.issue({
      caArn,
      csrPem: csr.pem,
      signingAlgorithm: signingAlgorithmFor(ca.keyAlgorithm),
      validityDays: options.validityDays,
      templateArn: options.templateArn,
    });
    progress.update('waiting for AWS to issue it');
    const fetched = await pca.waitForCertificate(caArn, certificateArn, { timeoutMs: options.wait * 1000, signal: ctx.abort.signal });
    const chainPem = fetched.chainPem || (await pca.getCaCertificate(caArn));
    const result = checkIssuedCertificate(csr, fetched.certificatePem, chainPem, caArn);
    progress.succeed(`certificate issued by ${caArn}`);
    return { result, ca: caArn, certificateArn };
  } catch (error) {
    progress?.fail(`no certificate issued for ${path.basename(csrPath)}`);
    throw error;
  } finally {
    pca.destroy();
  }
}

async function chooseCa(ctx: Context, cas: Array<{ arn: string; status: string; subject?: string }>, options: IssueCertOptions): Promise<string> {
  const active = cas.filter((ca) => ca.status === 'ACTIVE');
  if (active.length === 1) return active[0].arn;
  if (active.length === 0) {
    throw new KfeedError('notFound', `no ACTIVE private CA in this account and region${cas.length ? ` (${cas.length} in other states)` : ''}`, {
      hint: 'pass --ca-arn, set ACM_PCA_ARN, check --region, or use --local-ca DIR',
    });
  }
  if (options.yes || !ctx.canPrompt()) {
    throw new KfeedError('usage', `${active.length} ACTIVE private CAs, and none chosen: ${active.map((ca) => ca.arn).join(', ')}`, { hint: 'pass --ca-arn or set ACM_PCA_ARN' });
  }
  return ctx.promptSelect(
    'Which private CA should sign?',
    active.map((ca) => ({ name: `${ca.subject ?? '(no CN)'}  ${ca.arn}`, value: ca.arn })),
  );
}
