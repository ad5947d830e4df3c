import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { AWS_OPTION_HELP } from '../aws/config.js';
import type { CertificateAuthority } from '../certs/issuing.js';
import type { Context } from '../context.js';
import type { ConnectionFlags } from '../config/connection.js';
import { KfeedError } from '../errors.js';

/** The connection options of every command that talks to Kafka. */
export function withConnectionOptions(command: Command, options: { certFlags?: 'admin' } = {}): Command {
  // Commands whose own --cert names something else (acl grant) take the connection's as --admin-cert.
  const cert = options.certFlags === 'admin' ? '--admin-cert' : '--cert';
  const key = options.certFlags === 'admin' ? '--admin-key' : '--key';
  command
    .option('--profile <name>', 'connection profile (default: the profile marked default)')
    .option('--brokers <list>', 'bootstrap brokers host:port,... (env TLSBROKERS)')
    .option('--ca <file>', 'CA certificates that signed the brokers (PEM; default truststore.pem, else system roots)')
    .option(`${cert} <file>`, 'client certificate for mTLS (PEM; default client_cert.pem)')
    .option(`${key} <file>`, 'client private key (PEM; default private_key.pem; password from PK_PASSWORD or a prompt)')
    .option('--plaintext', 'connect without TLS')
    .option('--sasl-user <name>', 'SASL/SCRAM user (password from KFEED_SASL_PASSWORD or a prompt)')
    .option('--sasl-mechanism <name>', 'scram-sha-512 (default) or scram-sha-256')
    .option('--auth <method>', 'iam: MSK IAM with the AWS credential chain (env KFEED_AUTH)');
  // Commands with AWS options of their own (consume --sink) already have --region: one flag serves both.
  if (!command.options.some((option) => option.long === '--region')) {
    command.option('--region <region>', 'AWS region IAM tokens are signed for (env AWS_REGION, else the AWS config)');
  }
  return command;
}

/** The connection flags out of a command's options (`certFlags` as given to withConnectionOptions). */
export function connectionFlags(
  options: ConnectionFlags & { adminCert?: string; adminKey?: string },
  certFlags?: 'admin',
): ConnectionFlags {
  const { profile, brokers, ca, plaintext, saslUser, saslMechanism, auth, region } = options;
  const cert = certFlags === 'admin' ? options.adminCert : options.cert;
  const key = certFlags === 'admin' ? options.adminKey : options.key;
  return { profile, brokers, ca, cert, key, plaintext, saslUser, saslMechanism, auth, region };
}

/** Commander parser for whole numbers within bounds, with a message that says the range. */
export function integer(name: string, min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError(`${name} must be a whole number`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be between ${min} and ${max}`);
    return n;
  };
}

/** Commander parser that collects a repeatable option into a list. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The flags of every command that has a certificate signed (issuecert, subscriber add/renew). */
export interface CaFlags {
  caArn?: string;
  localCa?: string;
  validityDays: number;
  templateArn?: string;
  wait: number;
  endpointUrl?: string;
  region?: string;
}

export function withCaOptions(command: Command): Command {
  return command
    .option('--ca-arn <arn>', 'AWS Private CA that signs (env ACM_PCA_ARN)')
    .option('--local-ca <dir>', 'sign with the CA in this folder instead (ca.pem + ca-key.pem)')
    .option('--validity-days <days>', 'validity of the certificate', integer('--validity-days', 1, 36500), 300)
    .option('--template-arn <arn>', 'AWS Private CA certificate template (default: the end-entity template)')
    .option('--wait <seconds>', 'how long to wait for AWS to issue', integer('--wait', 1, 600), 60)
    .option('--endpoint-url <url>', AWS_OPTION_HELP.endpointUrl)
    .option('--region <region>', AWS_OPTION_HELP.region);
}

/** The CA named by --ca-arn, ACM_PCA_ARN or --local-ca: exactly one. */
export function authorityFrom(ctx: Context, options: CaFlags): CertificateAuthority {
  if (options.caArn && options.localCa)
    throw new KfeedError('usage', '--ca-arn and --local-ca name two different CAs', { hint: 'pass one of them' });
  if (options.localCa) return { kind: 'local', dir: path.resolve(ctx.cwd, options.localCa) };
  const arn = options.caArn ?? (ctx.env.ACM_PCA_ARN || undefined);
  if (!arn)
    throw new KfeedError('usage', 'no CA to sign the certificate', {
      hint: 'pass --ca-arn ARN (or set ACM_PCA_ARN), or --local-ca DIR',
    });
  return {
    kind: 'pca',
    arn,
    templateArn: options.templateArn,
    waitSeconds: options.wait,
    endpointUrl: options.endpointUrl,
    region: options.region,
    env: ctx.env,
  };
}
