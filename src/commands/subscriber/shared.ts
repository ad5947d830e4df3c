import path from 'node:path';
import type { Command } from 'commander';
import { AWS_OPTION_HELP } from '../../aws/config.js';
import type { CertificateAuthority } from '../../certs/issuing.js';
import type { ConnectionFlags, ConnectionSettings } from '../../config/connection.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';
import { DEFAULT_REGISTRY_TOPIC } from '../../subscribers/registry.js';
import type { RegistryAccess } from '../../subscribers/lifecycle.js';
import { connectionFlags, integer, withConnectionOptions } from '../options.js';

/** What the subscriber verbs share (as gh keeps a noun's shared flags in pkg/cmd/<noun>/shared). */
export interface RegistryFlags extends ConnectionFlags {
  registryTopic: string;
}

export interface CaFlags {
  caArn?: string;
  localCa?: string;
  validityDays: number;
  templateArn?: string;
  wait: number;
  endpointUrl?: string;
  region?: string;
}

export function withRegistryOptions(command: Command): Command {
  return withConnectionOptions(
    command.option('--registry-topic <topic>', 'the compacted topic that holds the subscriber registry', DEFAULT_REGISTRY_TOPIC),
  );
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
  if (options.caArn && options.localCa) throw new KfeedError('usage', '--ca-arn and --local-ca name two different CAs', { hint: 'pass one of them' });
  if (options.localCa) return { kind: 'local', dir: path.resolve(ctx.cwd, options.localCa) };
  const arn = options.caArn ?? (ctx.env.ACM_PCA_ARN || undefined);
  if (!arn) throw new KfeedError('usage', 'no CA to sign the certificate', { hint: 'pass --ca-arn ARN (or set ACM_PCA_ARN), or --local-ca DIR' });
  return { kind: 'pca', arn, templateArn: options.templateArn, waitSeconds: options.wait, endpointUrl: options.endpointUrl, region: options.region, env: ctx.env };
}

/** An admin connection to the cluster and the registry on it. */
export async function registryAccess(ctx: Context, options: RegistryFlags): Promise<{ access: RegistryAccess; settings: ConnectionSettings }> {
  const settings = await ctx.connection(connectionFlags(options));
  const [{ createKafka }, { translateKafkaError }, { kafkaPrincipalOfCertificate }, { operatorPrincipal }] = await Promise.all([
    import('../../kafka/client.js'),
    import('../../kafka/errors.js'),
    import('../../certs/principal.js'),
    import('../../subscribers/registry.js'),
  ]);
  const kafka = await createKafka(settings);
  const access: RegistryAccess = {
    kafka,
    registryTopic: options.registryTopic,
    operator: operatorPrincipal(settings, kafkaPrincipalOfCertificate),
    signal: ctx.abort.signal,
    translate: (error) => translateKafkaError(error, settings),
  };
  return { access, settings };
}

/** Runs a registry flow, turning client errors into one-line KfeedErrors. */
export async function withRegistry<T>(access: RegistryAccess, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw access.translate(error);
  }
}
