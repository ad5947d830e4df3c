import fs from 'node:fs';
import path from 'node:path';
import { makeDirectory } from '../config/files.js';
import { KfeedError } from '../errors.js';
import type { SubscriberRecord } from './registry.js';
import type { Transaction } from './transaction.js';

/**
 * The bundle a provider sends a new subscriber: what the client needs besides the private key
 * it made itself (which never leaves the client). Every file is rendered here, in memory, by
 * pure functions; `writeBundle` writes them all or none.
 */
export const BUNDLE_FILES = {
  certificate: 'client_cert.pem',
  truststore: 'truststore.pem',
  javaProperties: 'client.properties',
  kcat: 'kcat.conf',
  profile: 'kfeed-profile.json',
  readme: 'README.md',
  record: 'subscriber.json',
  policy: 'policy.json',
} as const;

export interface BundleInput {
  record: SubscriberRecord;
  /** Certificate followed by its chain. */
  certificatePem: string;
  /** The CAs that verify the brokers; undefined when they chain to public roots (MSK). */
  brokerCaPem?: string;
  bootstrap: string[];
}

export function renderBundle(input: BundleInput): Record<string, string> {
  const { record } = input;
  const bootstrap = input.bootstrap.join(',');
  const trust = input.brokerCaPem !== undefined;
  const files: Record<string, string> = {
    [BUNDLE_FILES.certificate]: input.certificatePem,
    [BUNDLE_FILES.javaProperties]: renderJavaProperties(bootstrap, trust),
    [BUNDLE_FILES.kcat]: renderKcatConfig(bootstrap, trust),
    [BUNDLE_FILES.profile]: JSON.stringify(renderProfile(input.bootstrap, trust), null, 2) + '\n',
    [BUNDLE_FILES.readme]: renderReadme(record, bootstrap),
    [BUNDLE_FILES.record]: JSON.stringify(record, null, 2) + '\n',
  };
  if (trust) files[BUNDLE_FILES.truststore] = input.brokerCaPem!;
  return files;
}

function renderJavaProperties(bootstrap: string, trust: boolean): string {
  return [
    '# Apache Kafka Java client settings (mutual TLS), written by kfeed subscriber add.',
    '# Paths are relative to the folder you run the client from: run it from this folder.',
    '# keystore.pem is your private key followed by client_cert.pem (see README.md).',
    `bootstrap.servers=${bootstrap}`,
    'security.protocol=SSL',
    'ssl.keystore.type=PEM',
    'ssl.keystore.location=keystore.pem',
    '# If your private key is encrypted, add: ssl.key.password=...',
    ...(trust
      ? ['ssl.truststore.type=PEM', `ssl.truststore.location=${BUNDLE_FILES.truststore}`]
      : ['# The brokers chain to public root CAs: the JVM default truststore verifies them.']),
    '',
  ].join('\n');
}

function renderKcatConfig(bootstrap: string, trust: boolean): string {
  return [
    '# kcat -F kcat.conf ... (librdkafka settings), written by kfeed subscriber add.',
    `bootstrap.servers=${bootstrap}`,
    'security.protocol=ssl',
    `ssl.certificate.location=${BUNDLE_FILES.certificate}`,
    'ssl.key.location=private_key.pem',
    '# If your private key is encrypted, add: ssl.key.password=...',
    ...(trust ? [`ssl.ca.location=${BUNDLE_FILES.truststore}`] : []),
    '',
  ].join('\n');
}

function renderProfile(bootstrap: string[], trust: boolean) {
  return {
    brokers: bootstrap,
    security: 'ssl',
    cert: BUNDLE_FILES.certificate,
    key: 'private_key.pem',
    ...(trust ? { ca: BUNDLE_FILES.truststore } : {}),
  };
}

/** The name `kfeed profile import` gives the bundle's profile in its README. */
export const BUNDLE_PROFILE_NAME = 'feed';

/** Java's `--include` takes a regex of whole topic names: "." is the only topic character it treats specially. */
export function topicRegex(topics: string[]): string {
  return topics.map((t) => t.replaceAll('.', '\\.')).join('|');
}

/**
 * The client's first-time instructions: every command names every topic of the subscriber, and
 * a consumer's commands read from the beginning when its group is new (each says how to start
 * at the end instead).
 */
function renderReadme(record: SubscriberRecord, bootstrap: string): string {
  const topics = record.topics.join(' ');
  const group = `${record.groupPrefix}1`;
  const reading = record.role === 'consumer';
  const certificate = record.certificates.at(-1);
  const renewed = record.certificates.length > 1;
  const profile = `--profile ${BUNDLE_PROFILE_NAME}`;
  const javaTopics =
    record.topics.length === 1 ? `--topic ${record.topics[0]}` : `--include '${topicRegex(record.topics)}'`;
  return [
    `# Feed access for ${record.name}`,
    '',
    `Principal: \`${record.principal}\``,
    `Role: ${record.role} on ${record.topics.map((t) => `\`${t}\``).join(', ')}` +
      `${reading ? `; consumer groups must start with \`${record.groupPrefix}\`` : ''}.`,
    `Brokers: \`${bootstrap}\``,
    `Certificate: serial \`${certificate?.serialNumber ?? '?'}\`, valid until ${certificate?.notAfter ?? '?'}.`,
    ...(renewed
      ? [
          '',
          `This bundle is a renewal (issued ${certificate?.issuedAt ?? '?'}): use its \`${BUNDLE_FILES.certificate}\``,
          'with the key you made the new CSR with. Your earlier certificate works until it expires.',
        ]
      : []),
    '',
    'Put `private_key.pem` (the key you made the CSR with) into this folder, then run from here.',
    ...(reading
      ? [
          `Each command reads ${record.topics.length > 1 ? 'all your topics' : 'your topic'} from the beginning ` +
            'when its group is new (a group that has committed offsets goes on from them); each says how to start ' +
            'at the end instead.',
        ]
      : []),
    '',
    '## kfeed',
    '```sh',
    `kfeed profile import ${BUNDLE_FILES.profile} --name ${BUNDLE_PROFILE_NAME}`,
    reading
      ? `kfeed consume ${topics} -g ${group} --from-beginning ${profile}`
      : `kfeed produce -t ${record.topics[0]} ${profile}`,
    '```',
    ...(reading ? ['', 'To start at the end instead, leave out `--from-beginning`.'] : []),
    '',
    '## kcat',
    '```sh',
    reading
      ? `kcat -F ${BUNDLE_FILES.kcat} -C -G ${group} -X auto.offset.reset=earliest ${topics}`
      : `kcat -F ${BUNDLE_FILES.kcat} -P -t ${record.topics[0]}`,
    '```',
    ...(reading ? ['', 'To start at the end instead, use `-X auto.offset.reset=latest`.'] : []),
    '',
    '## Java clients and Kafka tools',
    '```sh',
    `cat private_key.pem ${BUNDLE_FILES.certificate} > keystore.pem && chmod 600 keystore.pem`,
    reading
      ? `kafka-console-consumer.sh --bootstrap-server ${bootstrap} ${javaTopics} --group ${group} --from-beginning ` +
        `--consumer.config ${BUNDLE_FILES.javaProperties}`
      : `kafka-console-producer.sh --bootstrap-server ${bootstrap} --topic ${record.topics[0]} ` +
        `--producer.config ${BUNDLE_FILES.javaProperties}`,
    '```',
    ...(reading
      ? [
          '',
          'To start at the end instead, leave out `--from-beginning`. In your own Java client, the same is',
          '`auto.offset.reset=earliest` (or `latest`) beside the settings of `client.properties`.',
        ]
      : []),
    '',
  ].join('\n');
}

/**
 * Writes the bundle into `dir`, which must not exist or be empty; on any failure nothing stays.
 * Returns the files and how to take the bundle back exactly: `created` is the topmost folder it
 * made (`dir` or a parent of it), null when `dir` was there already (empty).
 */
export function writeBundle(dir: string, files: Record<string, string>): { files: string[]; created: string | null } {
  if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) {
    throw new KfeedError('conflict', `${dir} is not empty`, { hint: 'name a new folder with --out-dir' });
  }
  const existed = fs.existsSync(dir);
  const parent = path.dirname(path.resolve(dir));
  const madeParent = makeDirectory(parent)[0] ?? null;
  const temp = fs.mkdtempSync(path.join(parent, `.${path.basename(dir)}.`));
  try {
    for (const [name, text] of Object.entries(files))
      fs.writeFileSync(path.join(temp, name), text, { mode: 0o644, flag: 'wx' });
    if (existed) fs.rmdirSync(dir);
    fs.renameSync(temp, dir);
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    if (madeParent) fs.rmSync(madeParent, { recursive: true, force: true });
    throw error;
  }
  return {
    files: Object.keys(files).map((name) => path.join(dir, name)),
    created: madeParent ?? (existed ? null : path.resolve(dir)),
  };
}

/** Takes a written bundle back: the folders it made go; a folder that was there stays, empty. */
export function removeBundle(dir: string, written: { files: string[]; created: string | null }): void {
  if (written.created) fs.rmSync(written.created, { recursive: true, force: true });
  else for (const file of written.files) fs.rmSync(file, { force: true });
}

/** Writes the bundle as the step `bundle` of a change: removed exactly if a later step fails. */
export async function bundleStep(tx: Transaction, outDir: string, files: Record<string, string>): Promise<string[]> {
  const written = await tx.step(
    'bundle',
    'writing the bundle',
    async () => writeBundle(outDir, files),
    (bundle) => ({ what: `bundle ${outDir} removed`, run: async () => removeBundle(outDir, bundle) }),
  );
  return written.files;
}

/** Checks, before any work, that the bundle can be written: the folder is new or empty, its parent can be made. */
export function checkBundleDir(dir: string): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory())
      throw new KfeedError('conflict', `${dir} is a file`, { hint: 'name a new folder with --out-dir' });
    if (fs.readdirSync(dir).length > 0)
      throw new KfeedError('conflict', `${dir} is not empty`, { hint: 'name a new folder with --out-dir' });
    return;
  }
  // The nearest folder that exists must be one this process can write: nothing is made yet.
  let existing = path.dirname(path.resolve(dir));
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  try {
    if (!fs.statSync(existing).isDirectory())
      throw Object.assign(new Error('not a folder'), { code: `${existing} is a file` });
    fs.accessSync(existing, fs.constants.W_OK);
  } catch (error) {
    throw new KfeedError(
      'config',
      `cannot write the bundle into ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        hint: 'name a folder you can write with --out-dir',
      },
    );
  }
}

/** The bundle of an IAM subscriber: its least-privilege policy instead of a certificate. */
export function renderIamBundle(input: {
  record: SubscriberRecord;
  policy: unknown;
  bootstrap: string[];
  region: string;
}): Record<string, string> {
  const { record } = input;
  const bootstrap = input.bootstrap.join(',');
  const reading = record.role === 'consumer';
  const group = `${record.groupPrefix}1`;
  const profile = { brokers: input.bootstrap, security: 'sasl_ssl', auth: 'iam', region: input.region };
  const readme = [
    `# Feed access for ${record.name} (MSK IAM)`,
    '',
    `Principal: \`${record.principal}\``,
    `Role: ${record.role} on ${record.topics.map((t) => `\`${t}\``).join(', ')}` +
      `${reading ? `; consumer groups must start with \`${record.groupPrefix}\`` : ''}.`,
    `Cluster: \`${record.clusterArn}\``,
    `Brokers: \`${bootstrap}\``,
    '',
    `Attach \`${BUNDLE_FILES.policy}\` to the role or user above (the provider's account may also need a`,
    "cluster policy that lets your account in). Then, with that identity's AWS credentials:",
    '',
    '```sh',
    `kfeed profile import ${BUNDLE_FILES.profile} --name ${BUNDLE_PROFILE_NAME}`,
    reading
      ? `kfeed consume ${record.topics.join(' ')} -g ${group} --from-beginning --profile ${BUNDLE_PROFILE_NAME}`
      : `kfeed produce -t ${record.topics[0]} --profile ${BUNDLE_PROFILE_NAME}`,
    '```',
    '',
  ].join('\n');
  return {
    [BUNDLE_FILES.policy]: JSON.stringify(input.policy, null, 2) + '\n',
    [BUNDLE_FILES.profile]: JSON.stringify(profile, null, 2) + '\n',
    [BUNDLE_FILES.readme]: readme,
    [BUNDLE_FILES.record]: JSON.stringify(record, null, 2) + '\n',
  };
}
