import type { Command } from 'commander';
import type { KafkaClient } from '@aws-sdk/client-kafka';
import { awsClientConfig, AWS_OPTION_HELP } from '../../aws/config.js';
import { findClusterArn, type MskClientConfig } from '../../aws/msk.js';
import type { Context } from '../../context.js';
import { KfeedError } from '../../errors.js';

export interface AwsFlags {
  region?: string;
  endpointUrl?: string;
}

/** --region and --endpoint-url, for commands that call the MSK API. */
export function withAwsOptions(command: Command): Command {
  // Kafka commands already have --region (IAM tokens): one flag serves both.
  if (!command.options.some((option) => option.long === '--region')) {
    command.option('--region <region>', AWS_OPTION_HELP.region);
  }
  return command.option('--endpoint-url <url>', AWS_OPTION_HELP.endpointUrl);
}

/** The MSK client settings from flags and kfeed's environment (AWS_ENDPOINT_URL_KAFKA counts too). */
export function mskClientConfig(ctx: Context, flags: AwsFlags): MskClientConfig {
  return awsClientConfig({ endpointUrl: flags.endpointUrl, region: flags.region, env: ctx.env, service: 'KAFKA' });
}

export interface ClusterFlags {
  clusterArn?: string;
  clusterName?: string;
}

export function withClusterOptions(command: Command): Command {
  return command
    .option(
      '--cluster-arn <arn>',
      'the MSK cluster (default: KFEED_MSK_CLUSTER_ARN, or the profile `msk discover` saved)',
    )
    .option('--cluster-name <name>', 'the MSK cluster, by name');
}

/** The cluster named by flags, else by KFEED_MSK_CLUSTER_ARN, else by the profile's saved ARN. */
export async function clusterArnFor(
  ctx: Context,
  client: KafkaClient,
  flags: ClusterFlags & { profile?: string },
): Promise<string> {
  if (flags.clusterArn && flags.clusterName)
    throw new KfeedError('usage', '--cluster-arn and --cluster-name exclude each other', { hint: 'pass one of them' });
  if (flags.clusterArn) return flags.clusterArn;
  if (flags.clusterName) return findClusterArn(client, flags.clusterName);
  if (ctx.env.KFEED_MSK_CLUSTER_ARN) return ctx.env.KFEED_MSK_CLUSTER_ARN;
  const profileName = flags.profile ?? ctx.env.KFEED_PROFILE ?? ctx.profiles.defaultName();
  const saved = profileName ? ctx.profiles.get(profileName)?.meta?.mskClusterArn : undefined;
  if (saved) return saved;
  throw new KfeedError('usage', 'no MSK cluster given', {
    hint: 'pass --cluster-arn or --cluster-name (or save a profile with `kfeed msk discover --save-profile`)',
  });
}
