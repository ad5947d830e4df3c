import path from 'node:path';
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
  out?: string;
  force?: boolean;
}

export default defineCommand<RenewSubscriberOptions, RenewSubscriberResult>({
  name: 'renew',
  summary: 'a new certificate for the same subject (the old one keeps working until it expires or is revoked)',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name' }],
  flags: (command) =>
    withRegistryOptions(
      withCaOptions(
        command
          .requiredOption('--csr <file>', 'a CSR with the same subject (a new key is fine)')
          .option('--out <file>', 'where to write certificate + chain (default: client_cert.pem beside the CSR)')
          .option('--force', 'replace an existing certificate file'),
      ),
    ),
  validate: (options) => void checkSubscriberName(options.name),
  run: async (ctx: Context, options) => {
    const authority = authorityFrom(ctx, options);
    const { parseCsr } = await import('../../certs/csr.js');
    const csrPath = path.resolve(ctx.cwd, options.csr);
    const csr = await parseCsr(readUserFile(csrPath, 'CSR'), options.csr);
    const { access } = await registryAccess(ctx, options);
    const { renewSubscriber } = await import('../../subscribers/renew.js');
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
          out: path.resolve(ctx.cwd, options.out ?? path.join(path.dirname(csrPath), 'client_cert.pem')),
          force: Boolean(options.force),
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
      `certificate   ${r.file}: serial ${r.certificate.serialNumber}, valid until ${r.certificate.notAfter}`,
      `certificates  ${r.subscriber.certificates.length} on record; ` +
        'earlier ones keep working until they expire or are revoked',
    ].join('\n'),
});
