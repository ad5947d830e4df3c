import { KfeedError } from '../errors.js';

/** What a command knows about reaching AWS: flags, and the environment it runs in. */
export interface AwsInput {
  /** --endpoint-url: e.g. moto or LocalStack on http://127.0.0.1:PORT. */
  endpointUrl?: string;
  /** --region. */
  region?: string;
  /** The environment (the context's, not process.env, so tests and callers control it). */
  env: NodeJS.ProcessEnv;
  /**
   * The service's variable suffix for a service-specific endpoint, as the AWS SDKs read it:
   * `AWS_ENDPOINT_URL_<SUFFIX>` (ACM_PCA, KAFKA, S3).
   */
  service?: string;
}

/** Client settings shared by every AWS SDK v3 client kfeed makes. */
export interface AwsClientConfig {
  region?: string;
  endpoint?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  maxAttempts: number;
}

/**
 * Builds the settings every AWS client gets: the endpoint from --endpoint-url,
 * AWS_ENDPOINT_URL_<SERVICE> or AWS_ENDPOINT_URL; the region from --region, AWS_REGION or
 * AWS_DEFAULT_REGION (else the SDK's own chain: the shared config file's profile); keys from
 * AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN when set (else the SDK's
 * default chain: AWS_PROFILE, SSO, web identity, instance roles).
 */
export function awsClientConfig(input: AwsInput): AwsClientConfig {
  const { env } = input;
  const endpoint =
    input.endpointUrl ?? (input.service ? env[`AWS_ENDPOINT_URL_${input.service}`] : undefined) ?? env.AWS_ENDPOINT_URL;
  if (endpoint !== undefined) checkEndpoint(endpoint);
  const region = input.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(region)) {
    throw new KfeedError('usage', `"${region}" is not an AWS region`, { hint: 'use a region code such as us-east-1' });
  }
  const config: AwsClientConfig = { maxAttempts: 3 };
  if (region) config.region = region;
  if (endpoint) config.endpoint = endpoint;
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    config.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    };
  }
  return config;
}

function checkEndpoint(endpoint: string): void {
  let url: URL | undefined;
  try {
    url = new URL(endpoint);
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
    throw new KfeedError('usage', `"${endpoint}" is not an endpoint URL`, {
      hint: 'write it as http://host:port or https://host',
    });
  }
}

/** Commander options for commands that call AWS. */
export const AWS_OPTION_HELP = {
  endpointUrl: 'AWS API endpoint, e.g. a local emulator (env AWS_ENDPOINT_URL)',
  region: 'AWS region (env AWS_REGION; default from the AWS config file)',
} as const;
