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
  auth?: 'iam';
  region?: string;
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
      .addOption(
        new Option('--auth <method>', 'iam: MSK IAM with the AWS credential chain (SASL_SSL)').choices(['iam']),
      )
      .option('--region <region>', 'with --auth iam: the AWS region tokens are signed for')
      .option('--default', 'make it the default profile'),
  validate: (options) => {
    checkProfileName(options.name);
    if (Boolean(options.cert) !== Boolean(options.key)) {
      throw new KfeedError('usage', 'a client certificate needs its key (and the reverse)', {
        hint: 'pass both --cert and --key',
      });
    }
    parseBrokerList(options.brokers);
    if (options.auth === 'iam' && (options.cert || options.saslUser)) {
      throw new KfeedError('usage', 'an IAM profile takes no client certificate or SASL user', {
        hint: 'leave out --cert/--key/--sasl-user, or --auth iam',
      });
    }
    if (options.region && options.auth !== 'iam') {
      throw new KfeedError('usage', '--region belongs to an IAM profile', {
        hint: 'add --auth iam, or leave out --region',
      });
    }
  },
  run: async (ctx, options) => {
    const absolute = (file?: string) => (file ? path.resolve(ctx.cwd, file) : undefined);
    const files = { ca: absolute(options.ca), cert: absolute(options.cert), key: absolute(options.key) };
    // A profile that names a missing or wrong file would fail only at its first use.
    checkProfileFiles(files);
    const profile: Profile = {
      brokers: parseBrokerList(options.brokers),
      // IAM is SASL over TLS (OAUTHBEARER): the security protocol follows from it.
      security: options.auth === 'iam' ? 'sasl_ssl' : options.security,
      ...(options.auth === 'iam'
        ? { auth: 'iam' as const, ...(options.region ? { region: options.region } : {}) }
        : {}),
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
