import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { JavaClientFiles } from '../../certs/java.js';
import { LEGACY_FILES, parseBrokerList } from '../../config/connection.js';
import { readUserFile } from '../../config/files.js';
import { KfeedError } from '../../errors.js';
import { defineCommand } from '../command.js';

export interface CertImportOptions {
  cert: string;
  key?: string;
  ca?: string;
  outDir?: string;
  alias: string;
  brokers?: string;
  force?: boolean;
}

export type CertImportResult = JavaClientFiles & { alias: string; trustedFrom: string };

export default defineCommand<CertImportOptions, CertImportResult>({
  name: 'import',
  summary: 'make a PKCS#12 keystore, truststore and client.properties for Apache Kafka Java clients',
  args: [
    { key: 'cert', syntax: '<cert>', description: 'the signed certificate with its chain (PEM), e.g. client_cert.pem' },
  ],
  flags: (command) =>
    command
      .option(
        '--key <file>',
        'its private key (default: private_key.pem beside the certificate; password from PK_PASSWORD or a prompt)',
      )
      .option(
        '--ca <file>',
        'CA certificates to trust for the brokers ' +
          '(default: truststore.pem beside the certificate, else the public root CAs)',
      )
      .option('--out-dir <dir>', "folder for the three files (default: the certificate's folder)")
      .option('--alias <name>', 'name of the key entry in the keystore', 'kfeed-client')
      .option('--brokers <list>', 'also write bootstrap.servers')
      .option('--force', 'replace existing files')
      .addHelpText(
        'after',
        '\nThe store password comes from KFEED_KEYSTORE_PASSWORD, else PK_PASSWORD, else is asked twice. ' +
          'Files are written 0600.',
      ),
  validate: (options) => {
    if (options.brokers) parseBrokerList(options.brokers);
  },
  run: async (ctx, options) => {
    const certPath = path.resolve(ctx.cwd, options.cert);
    const certText = readUserFile(certPath, 'certificate');
    const beside = (name: string) => path.join(path.dirname(certPath), name);
    const keyPath = options.key ? path.resolve(ctx.cwd, options.key) : beside(LEGACY_FILES.key);
    const keyText = readUserFile(keyPath, 'key');
    const besideTrust = fs.existsSync(beside(LEGACY_FILES.ca)) ? beside(LEGACY_FILES.ca) : undefined;
    const trustPath = options.ca ? path.resolve(ctx.cwd, options.ca) : besideTrust;
    const trustText = trustPath ? readUserFile(trustPath, 'CA file') : tls.rootCertificates.join('\n');

    const { isEncryptedPem, loadPrivateKey } = await import('../../certs/keys.js');
    const keyPassword = isEncryptedPem(keyText)
      ? ctx.env.PK_PASSWORD || (await ctx.promptPassword(`Password of ${path.basename(keyPath)}`))
      : undefined;
    const key = loadPrivateKey(keyText, keyPath, keyPassword);

    let storePassword = ctx.env.KFEED_KEYSTORE_PASSWORD || ctx.env.PK_PASSWORD || undefined;
    storePassword ??= await ctx.promptPassword('Password for the Java keystore and truststore', { confirm: true });
    if (!storePassword) {
      throw new KfeedError('config', 'no password for the Java keystore', {
        hint: 'set KFEED_KEYSTORE_PASSWORD (or PK_PASSWORD), or run in a terminal to be asked',
      });
    }
    const { writeJavaClientFiles } = await import('../../certs/java.js');
    const trustedFrom = trustPath ?? 'the public root CAs';
    const files = writeJavaClientFiles({
      certText,
      certFile: options.cert,
      key,
      keyFile: keyPath,
      trustText,
      trustFile: trustedFrom,
      password: storePassword,
      outDir: path.resolve(ctx.cwd, options.outDir ?? path.dirname(certPath)),
      alias: options.alias,
      force: Boolean(options.force),
      bootstrapServers: options.brokers,
    });
    return { ...files, alias: options.alias, trustedFrom };
  },
  render: (result) => {
    const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
    return [
      `keystore      ${result.keystore}  (PKCS#12: key "${result.alias}" + certificate + ` +
        `${plural(result.chainLength, 'CA certificate')}, mode 0600)`,
      `truststore    ${result.truststore}  ` +
        `(PKCS#12: ${plural(result.trustedCount, 'CA certificate')} from ${result.trustedFrom})`,
      `properties    ${result.properties}  (security.protocol=SSL, holds the store password, mode 0600)`,
      `principal     ${result.principal}`,
      `try           kafka-console-consumer.sh --bootstrap-server BROKERS --consumer.config ${result.properties} ` +
        '--topic TOPIC',
    ].join('\n');
  },
});
