import path from 'node:path';
import { Option } from 'commander';
import { readUserFile } from '../../config/files.js';
import type { Context } from '../../context.js';
import { checkTopicName } from '../../kafka/topics.js';
import type { AddSubscriberResult } from '../../subscribers/lifecycle.js';
import { checkSubscriberName, SUBSCRIBER_ROLES, type SubscriberRole } from '../../subscribers/registry.js';
import { defineCommand } from '../command.js';
import { authorityFrom, withCaOptions, type CaFlags } from '../options.js';
import { registryAccess, withRegistry, withRegistryOptions, type RegistryFlags } from './shared.js';
import { aclPhrase } from '../../render/acls.js';

export interface AddSubscriberOptions extends RegistryFlags, CaFlags {
  name: string;
  csr: string;
  topics: string;
  role: SubscriberRole;
  groupPrefix?: string;
  bootstrap?: string;
  outDir?: string;
}

export function topicList(value: string): string[] {
  const topics = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  for (const topic of topics) checkTopicName(topic);
  return [...new Set(topics)];
}

export default defineCommand<AddSubscriberOptions, AddSubscriberResult>({
  name: 'add',
  summary: 'onboard a client: certificate from its CSR, exactly the ACLs its role needs, a bundle to send it',
  args: [{ key: 'name', syntax: '<name>', description: 'subscriber name (letters, digits, . _ -)' }],
  flags: (command) =>
    withRegistryOptions(
      withCaOptions(
        command
          .requiredOption(
            '--csr <file>',
            "the client's certificate signing request (PEM; `kfeed makecsr` on the client side)",
          )
          .requiredOption('--topics <list>', 'topics it may use, comma-separated (e.g. quote,trade)')
          .addOption(new Option('--role <role>', 'what it may do').choices([...SUBSCRIBER_ROLES]).default('consumer'))
          .option('--group-prefix <prefix>', 'consumer groups it may use start with this (default: NAME-)')
          .option(
            '--bootstrap <list>',
            "brokers the client connects to, host:port,... (default: this connection's brokers)",
          )
          .option('--out-dir <dir>', 'where to write the bundle (default: ./NAME-bundle; must be new or empty)'),
      ),
    ),
  validate: (options) => {
    checkSubscriberName(options.name);
    topicList(options.topics);
  },
  run: async (ctx: Context, options) => {
    const topics = topicList(options.topics);
    const authority = authorityFrom(ctx, options);
    const { parseCsr } = await import('../../certs/csr.js');
    const csrPath = path.resolve(ctx.cwd, options.csr);
    const csr = await parseCsr(readUserFile(csrPath, 'CSR'), options.csr);
    const { access, settings } = await registryAccess(ctx, options);
    const progress = ctx.progress(`adding subscriber ${options.name}`);
    access.onProgress = (text) => progress.update(text);
    const { addSubscriber } = await import('../../subscribers/lifecycle.js');
    try {
      const result = await withRegistry(access, () =>
        addSubscriber(access, {
          name: options.name,
          csr,
          csrFile: options.csr,
          role: options.role,
          topics,
          groupPrefix: options.groupPrefix ?? `${options.name}-`,
          authority,
          validityDays: options.validityDays,
          bootstrap: options.bootstrap
            ? options.bootstrap
                .split(',')
                .map((b) => b.trim())
                .filter(Boolean)
            : settings.brokers,
          brokerCaPem: settings.tls?.ca,
          outDir: path.resolve(ctx.cwd, options.outDir ?? `${options.name}-bundle`),
        }),
      );
      progress.succeed(`subscriber ${options.name} added`);
      return result;
    } catch (error) {
      progress.fail(`subscriber ${options.name} not added`);
      throw error;
    }
  },
  render: (result) => {
    const s = result.subscriber;
    const cert = s.certificates[s.certificates.length - 1];
    return [
      `subscriber    ${s.name} (${s.role} of ${s.topics.join(', ')}` +
        `${s.role === 'consumer' ? `; groups ${s.groupPrefix}*` : ''})`,
      `principal     ${s.principal}`,
      `certificate   serial ${cert.serialNumber}, valid until ${cert.notAfter}, from ${cert.ca}`,
      `ACLs          ${result.aclsGranted.length} (${result.aclsGranted.map(aclPhrase).join(', ')})`,
      `bundle        ${result.bundle.dir}  (send it to the client; README.md there says how to connect)`,
    ].join('\n');
  },
});
