import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { Command } from 'commander';
import { LEGACY_FILES } from '../config/connection.js';
import { readUserFile } from '../config/files.js';
import type { Context } from '../context.js';
import { KfeedError } from '../errors.js';

export interface ImportCertOptions {
  key?: string;
  ca?: string;
  outDir?: string;
  alias: string;
  brokers?: string;
  force?: boolean;
}

export function register(program: Command, ctx: Context): void {
  program
    .command('importcert')
    .description('make a PKCS#12 keystore, truststore and client.properties for Apache Kafka Java clients')
    .argument('<cert>', 'the signed certificate with its chain (PEM), e.g. client_cert.pem')
    .option('--key <file>', 'its private key (default: private_key.pem beside the certificate; password from PK_PASSWORD or a prompt)')
    .option('--ca <file>', 'CA certificates to trust for the brokers (default: truststore.pem beside the certificate, else the public root CAs)')
    .option('--out-dir <dir>', 'folder for the three files (default: the certificate\'s folder)')
    .option('--alias <name>', 'name of the key entry in the keystore', 'kfeed-client')
    .option('--brokers <list>', 'also write bootstrap.servers')
    .option('--force', 'replace existing files')
    .addHelpText('after', '\nThe store password comes from KFEED_KEYSTORE_PASSWORD, else PK_PASSWORD, else is asked twice. Files are written 0600.')
    .action((cert: string, options: ImportCertOptions) => importCertRun(ctx, cert, options));
}

export async function importCertRun(ctx: Context, certFile: string, options: ImportCertOptions): Promise<void> {
  const certPath = path.resolve(ctx.cwd, certFile);
  const certText = readUserFile(certPath, 'certificate');
  const beside = (name: string) => path.join(path.dirname(certPath), name);
  const keyPath = options.key ? path.resolve(ctx.cwd, options.key) : beside(LEGACY_FILES.key);
  const keyText = readUserFile(keyPath, 'key');
  const trustPath = options.ca ? path.resolve(ctx.cwd, options.ca) : fs.existsSync(beside(LEGACY_FILES.ca)) ? beside(LEGACY_FILES.ca) : undefined;
  const trustText = trustPath ? readUserFile(trustPath, 'CA file') : tls.rootCertificates.join('\n');
  if (options.brokers) {
    const { parseBrokerList } = await import('../config/connection.js');
    parseBrokerList(options.brokers);
  }

  const { isEncryptedPem, loadPrivateKey } = await import('../certs/keys.js');
  const keyPassword = isEncryptedPem(keyText) ? ctx.env.PK_PASSWORD || (await ctx.promptPassword(`Password of ${path.basename(keyPath)}`)) : undefined;
  const key = loadPrivateKey(keyText, keyPath, keyPassword);

  let storePassword = ctx.env.KFEED_KEYSTORE_PASSWORD || ctx.env.PK_PASSWORD || undefined;
  if (!storePassword) storePassword = await ctx.promptPassword('Password for the Java keystore and truststore', { confirm: true });
  if (!storePassword) {
    throw new KfeedError('config', 'no password for the Java keystore', { hint: 'set KFEED_KEYSTORE_PASSWORD (or PK_PASSWORD), or run in a terminal to be asked' });
  }

  const { writeJavaClientFiles } = await import('../certs/java.js');
  const result = writeJavaClientFiles({
    certText,
    certFile,
    key,
    keyFile: keyPath,
    trustText,
    trustFile: trustPath ?? 'the public root CAs',
    password: storePassword,
    outDir: path.resolve(ctx.cwd, options.outDir ?? path.dirname(certPath)),
    alias: options.alias,
    force: Boolean(options.force),
    bootstrapServers: options.brokers,
  });
  if (ctx.json) return ctx.printJson(result);
  ctx.print(
    [
      `keystore      ${result.keystore}  (PKCS#12: key "${options.alias}" + ${result.chainLength} certificate${result.chainLength === 1 ? '' : 's'}, mode 0600)`,
      `truststore    ${result.truststore}  (PKCS#12: ${result.trustedCount} CA certificate${result.trustedCount === 1 ? '' : 's'} from ${trustPath ?? 'the public root CAs'})`,
      `properties    ${result.properties}  (security.protocol=SSL, holds the store password, mode 0600)`,
      `principal     ${result.principal}`,
      `try           kafka-console-consumer.sh --bootstrap-server BROKERS --consumer.config ${result.properties} --topic TOPIC`,
    ].join('\n'),
  );
}
