import path from 'node:path';
import { Option } from 'commander';
import { parseBrokerList } from '../../config/connection.js';
import { checkProfileFiles } from '../../config/profile-files.js';
import { checkProfileName, type Profile, type SecurityProtocol } from '../../config/profiles.js';
import { KfeedError } from '../../errors.js';
import { defineCommand } from '../command.js';

export interface ProfileAddOptions {
  name: string;
  brokers: string;
  security: SecurityProtocol;
  ca?: string;
  cert?: string;
  key?: string;
  saslUser?: string;
  saslMechanism?: Profile['saslMechanism'];
  default?: boolean;
}

export type ProfileAddResult = Profile & { name: string; isDefault: boolean };

export default defineCommand<ProfileAddOptions, ProfileAddResult>({
  name: 'add',
  summary: 'add or replace a profile',
  args: [{ key: 'name', syntax: '<name>', description: 'profile name' }],
  flags: (command) =>
    command
      .requiredOption('--brokers <list>', 'bootstrap brokers host:port,...')
      .addOption(
        new Option('--security <protocol>', 'security protocol')
          .choices(['ssl', 'plaintext', 'sasl_ssl', 'sasl_plaintext'])
          .default('ssl'),
      )
      .option('--ca <file>', 'CA certificates that signed the brokers (PEM)')
      .option('--cert <file>', 'client certificate (PEM)')
      .option('--key <file>', 'client private key (PEM)')
      .option('--sasl-user <name>', 'SASL/SCRAM user (the password is never stored)')
      .addOption(new Option('--sasl-mechanism <name>').choices(['scram-sha-512', 'scram-sha-256']))
      .option('--default', 'make it the default profile'),
  validate: (options) => {
    checkProfileName(options.name);
    if (Boolean(options.cert) !== Boolean(options.key)) {
      throw new KfeedError('usage', 'a client certificate needs its key (and the reverse)', {
        hint: 'pass both --cert and --key',
      });
    }
    parseBrokerList(options.brokers);
  },
  run: async (ctx, options) => {
    const absolute = (file?: string) => (file ? path.resolve(ctx.cwd, file) : undefined);
    const files = { ca: absolute(options.ca), cert: absolute(options.cert), key: absolute(options.key) };
    // A profile that names a missing or wrong file would fail only at its first use.
    checkProfileFiles(files);
    const profile: Profile = {
      brokers: parseBrokerList(options.brokers),
      security: options.security,
      ...(files.ca ? { ca: files.ca } : {}),
      ...(files.cert ? { cert: files.cert, key: files.key } : {}),
      ...(options.saslUser
        ? { saslUser: options.saslUser, saslMechanism: options.saslMechanism ?? ('scram-sha-512' as const) }
        : {}),
    };
    ctx.profiles.put(options.name, profile, { makeDefault: options.default });
    return { name: options.name, isDefault: ctx.profiles.read().defaultProfile === options.name, ...profile };
  },
  render: (result) => `profile ${result.name} saved${result.isDefault ? ' (the default profile)' : ''}`,
});
