import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import { Option } from 'commander';
import { LEGACY_FILES } from '../config/connection.js';
import { makeDirectory, readUserFile, writeFileAtomic } from '../config/files.js';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';
import type { SubjectFields } from '../certs/local-ca.js';
import type { SubjectAltName } from '../certs/csr.js';
import { KEY_TYPES, type KeyType } from '../certs/keys.js';
import { checkSubject, checkSubjectValue, parseSubject, SUBJECT_KEYS, SUBJECT_LABELS } from '../certs/subject.js';
import { defineCommand } from './command.js';
import { collect } from './options.js';

export const CSR_FILE = 'client_cert.csr';
const PUBLIC_ROOTS = 'public root CAs';

export interface MakeCsrOptions {
  subject?: string;
  cn?: string;
  ou?: string;
  o?: string;
  l?: string;
  st?: string;
  c?: string;
  san?: string[];
  keyType: KeyType;
  ca?: string;
  outDir?: string;
  force?: boolean;
  yes?: boolean;
}

export interface MakeCsrResult {
  files: { key: string; csr: string; truststore: string };
  subject: string;
  principal: string;
  /** The key type and size, e.g. RSA 2048. */
  key: string;
  encrypted: boolean;
  sans: SubjectAltName[];
  truststore: { source: string; certificates: number };
  /** The command that has the CSR signed, with the CSR's path as seen from where kfeed ran. */
  next: string;
}

export default defineCommand<MakeCsrOptions, MakeCsrResult>({
  name: 'makecsr',
  summary: 'make a private key, a certificate signing request and a truststore for an mTLS client',
  flags: (command) =>
    command
      .option('--subject <dn>', 'the whole subject, e.g. "CN=client1,OU=Trading,O=Example Corp,L=Seattle,ST=WA,C=US"')
      .option('--cn <name>', 'common name (CN)')
      .option('--ou <unit>', 'organizational unit (OU)')
      .option('--o <org>', 'organization (O)')
      .option('--l <city>', 'locality (L)')
      .option('--st <state>', 'state or province (ST)')
      .option('--c <country>', 'two-letter country code (C)')
      .option('--san <name>', 'DNS name or IP address for subjectAltName (repeatable)', collect)
      .addOption(new Option('--key-type <type>', 'key algorithm and size').choices(KEY_TYPES).default('rsa2048'))
      .option(
        '--ca <file>',
        'write this CA (PEM) to truststore.pem instead of the public root CAs MSK brokers chain to',
      )
      .option(
        '--out-dir <dir>',
        'folder for private_key.pem, client_cert.csr and truststore.pem (default: the current folder)',
      )
      .option('--force', 'replace existing files (including the private key)')
      .option('-y, --yes', 'ask nothing: the subject comes from flags, the key password only from PK_PASSWORD')
      .addHelpText(
        'after',
        '\nThe key is PKCS#8, encrypted when a password is given ' +
          '(PK_PASSWORD, or asked twice in a terminal); mode 0600.',
      ),
  validate: validateMakeCsr,
  run: makeCsrRun,
  render: (r) =>
    [
      `private key   ${r.files.key}  (${r.key}, PKCS#8${r.encrypted ? ', encrypted' : ''}, mode 0600)`,
      `CSR           ${r.files.csr}`,
      `truststore    ${r.files.truststore}  ` +
        `(${r.truststore.source === PUBLIC_ROOTS ? PUBLIC_ROOTS : `from ${r.truststore.source}`}, ` +
        `${r.truststore.certificates} certificate${r.truststore.certificates === 1 ? '' : 's'})`,
      `subject       ${r.subject}`,
      `principal     ${r.principal}  (for ACLs, once signed)`,
      `next          ${r.next}`,
    ].join('\n'),
});

const FIELD_FLAGS: Array<[keyof SubjectFields, keyof MakeCsrOptions]> = [
  ['CN', 'cn'],
  ['OU', 'ou'],
  ['O', 'o'],
  ['L', 'l'],
  ['ST', 'st'],
  ['C', 'c'],
];

/** The subject from --subject and the per-field flags, each field given once. */
function subjectOf(options: MakeCsrOptions): SubjectFields {
  const subject: SubjectFields = options.subject ? parseSubject(options.subject) : {};
  for (const [key, flag] of FIELD_FLAGS) {
    const value = options[flag] as string | undefined;
    if (value === undefined) continue;
    if (subject[key] !== undefined && subject[key] !== value) {
      throw new KfeedError('usage', `${key} is given twice (--subject and --${flag})`, {
        hint: 'give each field once',
      });
    }
    subject[key] = value;
  }
  return subject;
}

/** Without prompts the flags must name the client completely. */
function checkSubjectGiven(subject: SubjectFields, yes: boolean | undefined): void {
  if (!subject.CN) {
    // Other fields without a CN are a subject that names no one: say what is missing.
    const given = Object.keys(subject).length > 0;
    throw new KfeedError(
      'usage',
      given ? 'the subject has no CN (common name), which names the client' : 'no subject given',
      {
        hint: yes
          ? 'with --yes pass --cn NAME or --subject "CN=NAME,..."'
          : 'pass --cn NAME or --subject "CN=NAME,...", or run in a terminal to be asked',
      },
    );
  }
  checkSubject(subject);
}

function validateMakeCsr(options: MakeCsrOptions): void {
  const subject = subjectOf(options);
  if (options.yes) checkSubjectGiven(subject, true);
}

async function makeCsrRun(ctx: Context, options: MakeCsrOptions): Promise<MakeCsrResult> {
  const subject = subjectOf(options);
  const interactive = !options.yes && ctx.canPrompt();
  if (!interactive) checkSubjectGiven(subject, options.yes);

  const outDir = path.resolve(ctx.cwd, options.outDir ?? '.');
  const files = {
    key: path.join(outDir, LEGACY_FILES.key),
    csr: path.join(outDir, CSR_FILE),
    truststore: path.join(outDir, LEGACY_FILES.ca),
  };
  if (!options.force) {
    const existing = Object.values(files).filter((file) => fs.existsSync(file));
    if (existing.length) {
      throw new KfeedError('conflict', `${existing.join(', ')} already exist${existing.length === 1 ? 's' : ''}`, {
        hint: 'move them away, choose another --out-dir, or pass --force to replace them',
      });
    }
  }
  // The folder is made (or found unusable) before anything slow or secret happens: nothing is
  // asked and no key is made for files that could not be written.
  const madeFolders = makeDirectory(outDir, { hint: 'choose another --out-dir' });
  try {
    if (interactive) {
      for (const key of SUBJECT_KEYS) {
        if (subject[key] !== undefined) continue;
        const answer = (
          await ctx.promptText(`${SUBJECT_LABELS[key]}${key === 'CN' ? '' : ' (Enter to leave out)'}`, {
            validate: (value) =>
              value === '' && key !== 'CN' ? true : checkSubjectValue(key, key === 'C' ? value.toUpperCase() : value),
          })
        ).trim();
        if (answer !== '') subject[key] = key === 'C' ? answer.toUpperCase() : answer;
      }
      checkSubject(subject);
    }
    return await makeKeyAndFiles(ctx, options, { subject, files, interactive });
  } catch (error) {
    // Leave no empty folders behind a failure (the files themselves are written last).
    for (const folder of madeFolders.reverse()) {
      try {
        fs.rmdirSync(folder); // only if still empty
      } catch {
        break;
      }
    }
    throw error;
  }
}

async function makeKeyAndFiles(
  ctx: Context,
  options: MakeCsrOptions,
  {
    subject,
    files,
    interactive,
  }: { subject: SubjectFields; files: { key: string; csr: string; truststore: string }; interactive: boolean },
): Promise<MakeCsrResult> {
  const { certificatePems } = await import('../certs/pem.js');
  const trustPems = options.ca
    ? certificatePems(readUserFile(path.resolve(ctx.cwd, options.ca), 'CA file'), options.ca)
    : tls.rootCertificates.map((pem) => pem + '\n');

  let password = ctx.env.PK_PASSWORD || undefined;
  if (!password && interactive) {
    password =
      (await ctx.promptPassword('Password to encrypt the private key (Enter for none)', { confirm: true })) ||
      undefined;
  }

  const { createKeyAndCsr } = await import('../certs/csr.js');
  const progress = ctx.progress(`making a ${options.keyType} key and a CSR`);
  let result;
  try {
    result = await createKeyAndCsr({ subject, keyType: options.keyType, sans: options.san, password });
  } catch (error) {
    progress.fail('no key or CSR made');
    throw error;
  }
  writeFileAtomic(files.key, result.keyPem, { mode: 0o600, exclusive: !options.force });
  writeFileAtomic(files.csr, result.csrPem);
  writeFileAtomic(files.truststore, trustPems.join(''));
  progress.succeed(`${result.keyLabel} key and CSR made`);

  const { parseCsr } = await import('../certs/csr.js');
  const parsed = await parseCsr(result.csrPem, files.csr);
  if (!result.encrypted)
    ctx.info(
      'note: the private key is not encrypted (no PK_PASSWORD, no password given); it is readable only by you (0600)',
    );
  return {
    files,
    subject: parsed.subject,
    principal: `User:${parsed.subject}`,
    key: result.keyLabel,
    encrypted: result.encrypted,
    sans: parsed.sans,
    truststore: { source: options.ca ?? PUBLIC_ROOTS, certificates: trustPems.length },
    next: `kfeed issuecert ${path.relative(ctx.cwd, files.csr) || files.csr}`,
  };
}
