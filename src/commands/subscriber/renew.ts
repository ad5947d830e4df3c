import path from 'node:path';
import { parseBrokerList } from '../../config/connection.js';
import { readUserFile } from '../../config/files.js';
import type { Context } from '../../context.js';
import type { RenewSubscriberResult } from '../../subscribers/renew.js';
import { checkSubscriberName } from '../../subscribers/registry.js';
import { defineCommand } from '../command.js';
import { authorityFrom, withCaOptions, type CaFlags } from '../options.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';

export interface RenewSubscriberOptions extends RegistryFlags, CaFlags {
  name: string;
  csr: string;
  outDir?: string;
  bootstrap?: string;
}

export default defineCommand<RenewSubscriberOptions, RenewSubscriberResult>({
  name: 'renew',
  summary: 'a new certificate for the same subject, in a fresh bundle for the client (the old one works until it ends)',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) =>
    withRegistryOptions(
      withCaOptions(
        command
          .requiredOption('--csr <file>', 'a CSR with the same subject (a new key is fine)')
          .option('--out-dir <dir>', 'where to write the new bundle (default: ./NAME-bundle-YYYY-MM-DD; new or empty)')
          .option(
            '--bootstrap <list>',
            'brokers the bundle names, host:port,... (default: those of its add, else this connection)',
          ),
      ),
    ),
  validate: (options) => {
    checkSubscriberName(options.name);
    if (options.bootstrap !== undefined) parseBrokerList(options.bootstrap);
  },
  run: async (ctx: Context, options) => {
    const authority = authorityFrom(ctx, options);
    const { parseCsr } = await import('../../certs/csr.js');
    const csr = await parseCsr(readUserFile(path.resolve(ctx.cwd, options.csr), 'CSR'), options.csr);
    const { access, settings } = await registryAccess(ctx, options);
    const { renewSubscriber } = await import('../../subscribers/renew.js');
    const today = new Date().toISOString().slice(0, 10);
    const progress = ctx.progress(`renewing subscriber ${options.name}`);
    access.onProgress = (text) => progress.update(text);
    try {
      const result = await withRegistry(access, () =>
        renewSubscriber(access, {
          name: options.name,
          csr,
          csrFile: options.csr,
          authority,
          validityDays: options.validityDays,
          outDir: path.resolve(ctx.cwd, options.outDir ?? `${options.name}-bundle-${today}`),
          bootstrap: options.bootstrap ? parseBrokerList(options.bootstrap) : undefined,
          connectionBrokers: settings.brokers,
          brokerCaPem: settings.tls?.ca,
        }),
      );
      progress.succeed(`subscriber ${options.name} renewed`);
      return result;
    } catch (error) {
      progress.fail(`subscriber ${options.name} not renewed`);
      throw error;
    }
  },
  render: (r) =>
    [
      `renewed       ${r.subscriber.name} (${r.subscriber.principal})`,
      `certificate   serial ${r.certificate.serialNumber}, valid until ${r.certificate.notAfter}`,
      `bundle        ${r.bundle.dir}  (send it to the client; README.md there says how to connect)`,
      `certificates  ${r.subscriber.certificates.length} on record; ` +
        'earlier ones keep working until they expire or are revoked',
    ].join('\n'),
});
