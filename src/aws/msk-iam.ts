import { KfeedError, messageOf } from '../errors.js';
import { explainCredentialProcess } from './credential-process.js';
import { configFileRegion, describeCredentialSource, type CredentialSource } from './credentials-source.js';

/**
 * MSK IAM authentication (SASL/OAUTHBEARER): the token is AWS's signer's base64url presigned
 * URL for `kafka-cluster:Connect`, made anew for every connection so long runs outlive a
 * token's 15 minutes and the broker's re-authentication.
 */
export type AuthMethod = 'iam';
export const AUTH_METHODS: readonly AuthMethod[] = ['iam'];

export interface IamAuth {
  region: string;
  /** Where the region came from (--region, AWS_REGION, the AWS config file, the profile). */
  regionOrigin: string;
  /** Keys from the command's environment; absent: the SDK's default chain (AWS_PROFILE, SSO, roles). */
  credentials?: StaticCredentials;
  awsProfile?: string;
  credentialSource: CredentialSource;
}

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface IamAuthInput {
  regionFlag?: string;
  profileRegion?: string;
  profileLabel?: string;
  env: NodeJS.ProcessEnv;
  brokers: string[];
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
// MSK broker names carry the cluster's region: b-1.feed.abc123.c2.kafka.eu-west-1.amazonaws.com
const MSK_HOST_REGION = /\.kafka(?:-serverless)?\.([a-z]{2}(?:-[a-z]+)+-\d+)\.amazonaws\.com(?:\.cn)?$/;

export function parseAuthMethod(value: string, origin: string): AuthMethod {
  const method = value.toLowerCase();
  if (!AUTH_METHODS.includes(method as AuthMethod)) {
    throw new KfeedError('usage', `unknown auth method "${value}" (from ${origin})`, {
      hint: 'use --auth iam (mTLS and SCRAM are chosen by --cert / --sasl-user)',
    });
  }
  return method as AuthMethod;
}

/** Region, credentials and their source for an IAM connection; checks the region against MSK broker names. */
export function resolveIamAuth(input: IamAuthInput): IamAuth {
  const { env } = input;
  const layers: Array<[string, string | undefined]> = [
    ['--region', input.regionFlag],
    ['AWS_REGION', env.AWS_REGION],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION],
    [input.profileLabel ?? 'profile', input.profileRegion],
  ];
  let found = layers.find(([, value]) => value);
  const fromFile = found ? undefined : configFileRegion({ env });
  if (fromFile) found = [fromFile.origin, fromFile.region];
  if (!found) {
    throw new KfeedError('config', 'no AWS region for IAM authentication', {
      hint: 'pass --region, set AWS_REGION, or put region in the AWS config profile',
    });
  }
  const [regionOrigin, region] = found as [string, string];
  if (!REGION.test(region)) {
    throw new KfeedError('usage', `"${region}" (from ${regionOrigin}) is not an AWS region`, {
      hint: 'use a region code such as us-east-1',
    });
  }
  for (const broker of input.brokers) {
    const host = broker.replace(/:\d+$/, '');
    const clusterRegion = MSK_HOST_REGION.exec(host)?.[1];
    if (clusterRegion && clusterRegion !== region) {
      throw new KfeedError(
        'config',
        `region ${region} (from ${regionOrigin}) is not the cluster's region ${clusterRegion}`,
        {
          hint: `IAM tokens are signed for one region: pass --region ${clusterRegion}`,
        },
      );
    }
  }
  const auth: IamAuth = { region, regionOrigin, credentialSource: describeCredentialSource({ env }) };
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    auth.credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
      ...(env.AWS_CREDENTIAL_EXPIRATION ? { expiration: new Date(env.AWS_CREDENTIAL_EXPIRATION) } : {}),
    };
  } else if (env.AWS_PROFILE) {
    auth.awsProfile = env.AWS_PROFILE;
  }
  return auth;
}

/** Fails when the credentials are past their expiry (a margin covers the time to connect). */
export function checkNotExpired(credentials: StaticCredentials, now = Date.now()): void {
  const expiration = credentials.expiration;
  if (expiration && (Number.isNaN(expiration.getTime()) || expiration.getTime() <= now + 5_000)) {
    const when = Number.isNaN(expiration.getTime()) ? 'at an unreadable time' : `at ${expiration.toISOString()}`;
    throw new KfeedError('config', `the AWS credentials expired ${when}`, {
      hint: 'refresh them (`aws sso login`, a new session token or new keys) and run again',
    });
  }
}

/** The credential chain's failures as one line each. */
export function translateCredentialError(error: unknown): KfeedError {
  if (error instanceof KfeedError) return error;
  const message = messageOf(error);
  if (/expired|ExpiredToken|refresh/i.test(message)) {
    return new KfeedError('config', `the AWS credentials have expired: ${message.split('\n')[0]}`, {
      hint: 'refresh them (`aws sso login`, a new session token or new keys) and run again',
      cause: error,
    });
  }
  if (/Could not load credentials|Unable to find|not found|No credential|credentials/i.test(message)) {
    return new KfeedError('config', 'no AWS credentials found for IAM authentication', {
      hint: 'set AWS_PROFILE (and `aws sso login`), or AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or run with a role',
      cause: error,
    });
  }
  return new KfeedError('aws', `AWS credentials could not be loaded: ${message.split('\n')[0]}`, { cause: error });
}

export interface IamToken {
  value: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** Makes one token with AWS's signer (aws-msk-iam-sasl-signer-js); loaded only when IAM is used. */
export async function createIamToken(auth: IamAuth): Promise<IamToken> {
  const credentialsProvider = await credentialsProviderFor(auth);
  const { generateAuthTokenFromCredentialsProvider } = await import('aws-msk-iam-sasl-signer-js');
  let credentials: StaticCredentials;
  try {
    credentials = await credentialsProvider();
  } catch (error) {
    // The chain drops a credential_process's own reason (e.g. expired credentials): find it.
    throw (await explainCredentialProcess(auth.credentialSource)) ?? translateCredentialError(error);
  }
  checkNotExpired(credentials);
  const { token, expiryTime } = await generateAuthTokenFromCredentialsProvider({
    region: auth.region,
    awsCredentialsProvider: async () => credentials,
  });
  return { value: token, expiresAt: expiryTime };
}

const chains = new WeakMap<IamAuth, () => Promise<StaticCredentials>>();

async function credentialsProviderFor(auth: IamAuth): Promise<() => Promise<StaticCredentials>> {
  if (auth.credentials) {
    const fixed = auth.credentials;
    return async () => fixed;
  }
  let chain = chains.get(auth);
  if (!chain) {
    // The chain caches what it found and refreshes temporary credentials before they expire.
    const { fromNodeProviderChain } = await import('@aws-sdk/credential-providers');
    chain = fromNodeProviderChain(auth.awsProfile ? { profile: auth.awsProfile } : {});
    chains.set(auth, chain);
  }
  return chain;
}

/** The engine's SASL/OAUTHBEARER `token` function: called for every connection (and re-authentication). */
export function iamTokenProvider(auth: IamAuth): () => Promise<string> {
  return async () => (await createIamToken(auth)).value;
}

/** The fields of a token, as the broker reads them: the presigned URL's host and query. */
export function decodeIamToken(token: string): { host: string; params: Record<string, string> } {
  const url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  return { host: url.host, params: Object.fromEntries(url.searchParams) };
}

/** The one line the `acl` commands give on an IAM connection. */
export function refuseAclsOnIam(settings: { iam?: IamAuth }): void {
  if (!settings.iam) return;
  throw new KfeedError('usage', 'IAM clients are authorized by IAM policies, not Kafka ACLs', {
    hint: 'make the policy with `kfeed iam policy` and attach it to the role or user',
  });
}

/** The hint for a broker that refused an IAM token. */
export const IAM_DENIED_HINT =
  'check the AWS identity (`kfeed profile show --resolved`), its kafka-cluster:Connect policy and --region';
